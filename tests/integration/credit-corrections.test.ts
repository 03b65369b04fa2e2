import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';

import { deductCreditsBonusFirst, getCreditsBalance, reserveCredits } from '@/features/common/payments/service/credits-balance.service';
import {
  CorrectionBelowZeroError,
  IdempotencyConflictError,
  InvalidCreditsInputError,
  InsufficientCreditsError,
  OrganizationNotFoundError,
  UserNotFoundError,
} from '@/features/common/payments/service/credits-errors';
import { correctCredits, type CorrectCreditsInput } from '@/features/common/payments/service/ledger/corrections';
import { createOrganization } from '@/features/common/payments/service/organizations/organizations.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { getDb } from '@/shared/db/client';
import { balanceRowOf, createUser, expectLedgerMatchesBalances, ledgerOf, lotsOf, walletIdOf } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

// Races need real Postgres (CI sets TEST_DATABASE_URL); on PGlite they check the bookkeeping.
setupTestDatabase({ poolSize: 32 });

afterEach(async () => {
  await expectLedgerMatchesBalances();
});

async function userWith(credits: { bonus?: number; purchased?: number }) {
  const user = await createUser();
  if (credits.bonus) await addCreditsDirectly({ userId: user.id, credits: credits.bonus, creditsType: 'bonus', reason: 'Promo' });
  if (credits.purchased) await addCreditsDirectly({ userId: user.id, credits: credits.purchased, creditsType: 'purchased', reason: 'Pack' });
  return user;
}

describe(`corrections on ${testDriver}`, () => {
  it('revokes bonus credits as one correction entry with the admin as actor and the reason', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWith({ bonus: 100, purchased: 50 });

    const result = await correctCredits({ userId: user.id, bucket: 'bonus', credits: -30, reason: 'Promo given twice', adminId: admin.id });

    expect(result).toMatchObject({ bucket: 'bonus', credits: -30, creditsBonus: 70, creditsPurchased: 50, creditsBalance: 120 });
    const entry = (await ledgerOf(user.id)).at(-1)!;
    expect(entry).toMatchObject({
      id: Number(result.transactionId),
      type: 'correction',
      bonusDelta: -30,
      purchasedDelta: 0,
      usedDelta: 0,
      bonusAfter: 70,
      purchasedAfter: 50,
      reason: 'Promo given twice',
      actorType: 'admin',
      actorId: admin.id,
    });
    expect(entry.metadata).toMatchObject({ bucket: 'bonus', credits: -30, lots: [{ credits: 30 }] });
    expect((await lotsOf(user.id)).map((lot) => [lot.bucket, lot.creditsLeft])).toEqual([
      ['bonus', 70],
      ['purchased', 50],
    ]);
  });

  it('corrects purchased credits down and up; an addition is a never-expiring lot of source correction', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWith({ purchased: 100 });

    await correctCredits({ userId: user.id, bucket: 'purchased', credits: -40, reason: 'Invoice 12 was for 60', adminId: admin.id });
    const up = await correctCredits({ userId: user.id, bucket: 'purchased', credits: 15, reason: 'Invoice 13 missing', adminId: admin.id });

    expect(up).toMatchObject({ credits: 15, creditsPurchased: 75, creditsBonus: 0 });
    expect((await ledgerOf(user.id)).slice(-2).map((e) => [e.type, e.purchasedDelta, e.purchasedAfter])).toEqual([
      ['correction', -40, 60],
      ['correction', 15, 75],
    ]);
    const added = (await lotsOf(user.id)).find((lot) => lot.source === 'correction')!;
    expect(added).toMatchObject({ bucket: 'purchased', creditsGranted: 15, creditsLeft: 15, expiresAt: null });
  });

  it('takes a bucket exactly to zero', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWith({ bonus: 25 });
    await correctCredits({ userId: user.id, bucket: 'bonus', credits: -25, reason: 'Revoke all', adminId: admin.id });
    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 0 });
  });

  it('refuses to take a bucket below zero, says what it has, and writes nothing — the other bucket does not count', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWith({ bonus: 20, purchased: 500 });
    const before = await ledgerOf(user.id);

    const error = await correctCredits({ userId: user.id, bucket: 'bonus', credits: -21, reason: 'Too much', adminId: admin.id }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CorrectionBelowZeroError);
    expect((error as CorrectionBelowZeroError).details).toEqual({ bucket: 'bonus', required: 21, available: 20 });
    expect(await ledgerOf(user.id)).toEqual(before);
    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 20, purchased: 500 });
  });

  it('cannot revoke held credits: only what the bucket can spend counts', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWith({ bonus: 100 });
    await reserveCredits({ userId: user.id, credits: 80, reason: 'Job' });

    await expect(correctCredits({ userId: user.id, bucket: 'bonus', credits: -30, reason: 'Revoke', adminId: admin.id })).rejects.toMatchObject({
      code: 'CORRECTION_BELOW_ZERO',
      available: 20,
    });
    await correctCredits({ userId: user.id, bucket: 'bonus', credits: -20, reason: 'Revoke the rest', adminId: admin.id });
    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 0, held: 80 });
  });

  it('cannot revoke expired credits, even before the expiry job has run', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 50, creditsType: 'bonus', reason: 'Promo', expiresAt: new Date(Date.now() + 60_000) });
    const db = await getDb();
    await db.execute(sql`update credit_lots set expires_at = now() - interval '1 second' where wallet_id = ${walletIdOf(user.id)}`);
    await db.execute(sql`update credit_balances set next_expiry_at = now() - interval '1 second' where wallet_id = ${walletIdOf(user.id)}`);

    await expect(correctCredits({ userId: user.id, bucket: 'bonus', credits: -1, reason: 'Revoke', adminId: admin.id })).rejects.toBeInstanceOf(
      CorrectionBelowZeroError,
    );
    expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant', 'expiration']);
  });

  it('applies a keyed correction once when retried, and refuses the key with another request', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWith({ bonus: 100 });
    const input = { userId: user.id, bucket: 'bonus', credits: -10, reason: 'Revoke', adminId: admin.id, idempotencyKey: 'admin-correction:1' } as const;

    const [first, second] = await Promise.all([correctCredits(input), correctCredits(input)]);

    expect(second.transactionId).toBe(first.transactionId);
    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 90 });
    await expect(correctCredits({ ...input, credits: -11 })).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(await ledgerOf(user.id)).toHaveLength(2);
  });

  it('corrects an organisation’s wallet without the admin being a member', async () => {
    const [admin, owner] = [await createUser({ role: 'admin' }), await createUser()];
    const org = await createOrganization({ userId: owner.id, name: 'Acme' });
    await addCreditsDirectly({ organizationId: org.id, credits: 40, creditsType: 'bonus', reason: 'Promo' });

    await correctCredits({ organizationId: org.id, bucket: 'bonus', credits: -15, reason: 'Revoke', adminId: admin.id });

    expect(await balanceRowOf({ organizationId: org.id })).toMatchObject({ bonus: 25 });
  });

  it('refuses an unknown user or organisation', async () => {
    const admin = await createUser({ role: 'admin' });
    await expect(correctCredits({ userId: 'nobody', bucket: 'bonus', credits: 5, reason: 'x', adminId: admin.id })).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(
      correctCredits({ organizationId: '00000000-0000-4000-8000-000000000000', bucket: 'bonus', credits: -5, reason: 'x', adminId: admin.id }),
    ).rejects.toBeInstanceOf(OrganizationNotFoundError);
  });
});

describe('corrections refuse bad input and write nothing', () => {
  const hostile: [string, Partial<Record<keyof CorrectCreditsInput, unknown>>, string][] = [
    ['zero credits', { credits: 0 }, 'credits'],
    ['minus zero', { credits: -0 }, 'credits'],
    ['fractional credits', { credits: -1.5 }, 'credits'],
    ['NaN', { credits: Number.NaN }, 'credits'],
    ['+Infinity', { credits: Number.POSITIVE_INFINITY }, 'credits'],
    ['-Infinity', { credits: Number.NEGATIVE_INFINITY }, 'credits'],
    ['2^53', { credits: 2 ** 53 }, 'credits'],
    ['-2^53', { credits: -(2 ** 53) }, 'credits'],
    ['a numeric string', { credits: '-10' }, 'credits'],
    ['an array', { credits: [-10] }, 'credits'],
    ['an object', { credits: { value: -10 } }, 'credits'],
    ['an unknown bucket', { bucket: 'held' }, 'bucket'],
    ['an empty reason', { reason: '  ' }, 'reason'],
    ['a huge reason', { reason: 'x'.repeat(100_000) }, 'reason'],
    ['a reason that is an object', { reason: { toString: () => 'x' } }, 'reason'],
    ['no admin', { adminId: undefined }, 'adminId'],
    ['a reserved key', { idempotencyKey: 'system:checkout:cs_1' }, 'idempotencyKey'],
    ['both a user and an organisation', { organizationId: '00000000-0000-4000-8000-000000000000' }, 'userId'],
    ['neither a user nor an organisation', { userId: undefined }, 'userId'],
    ['an organisation that is not a UUID', { userId: undefined, organizationId: 'acme' }, 'organizationId'],
  ];

  it.each(hostile)('refuses %s', async (_label, change, path) => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWith({ bonus: 100, purchased: 100 });
    const input = { userId: user.id, bucket: 'bonus', credits: -10, reason: 'Revoke', adminId: admin.id, ...change } as CorrectCreditsInput;

    const error = await correctCredits(input).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidCreditsInputError);
    expect((error as InvalidCreditsInputError).issues.map((issue) => issue.path)).toContain(path);
    expect(await ledgerOf(user.id)).toHaveLength(2);
  });
});

describe(`corrections under concurrency (${testDriver})`, () => {
  it('40 concurrent revocations of 10 from 300 bonus credits: exactly 30 apply, the rest are refused, never below zero', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWith({ bonus: 300, purchased: 1000 });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => correctCredits({ userId: user.id, bucket: 'bonus', credits: -10, reason: `Revoke ${i}`, adminId: admin.id })),
    );

    const refused = outcomes.filter((o) => o.status === 'rejected');
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(CorrectionBelowZeroError);
    expect(outcomes.length - refused.length).toBe(30);
    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 0, purchased: 1000 });
  });

  it('revocations racing deductions and holds never take a bucket below zero and lose no update', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWith({ bonus: 200, purchased: 200 });
    const calls: (() => Promise<{ revoked: number; spent: number }>)[] = [
      ...Array.from({ length: 30 }, (_, i) => () =>
        correctCredits({ userId: user.id, bucket: i % 2 ? 'bonus' : 'purchased', credits: -9, reason: `Revoke ${i}`, adminId: admin.id }).then(() => ({
          revoked: 9,
          spent: 0,
        })),
      ),
      ...Array.from({ length: 40 }, (_, i) => () => deductCreditsBonusFirst({ userId: user.id, credits: 7, reason: `Use ${i}` }).then(() => ({ revoked: 0, spent: 7 }))),
      ...Array.from({ length: 10 }, (_, i) => () => reserveCredits({ userId: user.id, credits: 5, reason: `Job ${i}` }).then(() => ({ revoked: 0, spent: 0 }))),
    ];

    const outcomes = await Promise.allSettled(calls.sort(() => Math.random() - 0.5).map((call) => call()));

    for (const o of outcomes) {
      if (o.status === 'rejected') expect([CorrectionBelowZeroError, InsufficientCreditsError].some((type) => o.reason instanceof type)).toBe(true);
    }
    const done = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const revoked = done.reduce((sum, o) => sum + o.revoked, 0);
    const spent = done.reduce((sum, o) => sum + o.spent, 0);
    const held = (await balanceRowOf(user.id))!.held;
    const balance = await getCreditsBalance(user.id);
    expect(balance.creditsBalance).toBe(400 - revoked - spent - held);
    expect(balance.creditsBonus).toBeGreaterThanOrEqual(0);
    expect(balance.creditsPurchased).toBeGreaterThanOrEqual(0);
  });
});
