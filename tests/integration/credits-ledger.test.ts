import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';

import { appConfig } from '@/config/app';
import {
  deductCreditsBonusFirst,
  getCreditsBalance,
  InsufficientCreditsError,
  listCreditTransactions,
} from '@/features/common/payments/service/credits-balance.service';
import {
  CreditsBalanceLimitError,
  CreditsDisabledError,
  IdempotencyConflictError,
  InvalidCreditsInputError,
  UserNotFoundError,
} from '@/features/common/payments/service/credits-errors';
import { fingerprintRequest } from '@/features/common/payments/service/idempotent-request.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { grantSignUpBonus } from '@/features/common/payments/service/sign-up-bonus';
import { getDb } from '@/shared/db/client';
import { balanceRowOf, createUser, expectLedgerMatchesBalances, ledgerOf, walletIdOf } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

setupTestDatabase();

async function userWith(credits: { bonus?: number; purchased?: number }) {
  const user = await createUser();
  if (credits.bonus) await addCreditsDirectly({ userId: user.id, credits: credits.bonus, creditsType: 'bonus', reason: 'Promo' });
  if (credits.purchased) await addCreditsDirectly({ userId: user.id, credits: credits.purchased, creditsType: 'purchased', reason: 'Test purchase' });
  return user;
}

/** Matches a database error by its message, also when drizzle has wrapped it. */
const causedBy = (pattern: RegExp) => (error: unknown) => pattern.test(String((error as Error).cause ?? error));

afterEach(async () => {
  await expectLedgerMatchesBalances();
});

describe(`deductCreditsBonusFirst on ${testDriver}`, () => {
  it('takes bonus credits before purchased ones', async () => {
    const user = await userWith({ bonus: 50, purchased: 100 });
    const result = await deductCreditsBonusFirst({ userId: user.id, credits: 30, reason: 'Image generation' });
    expect(result).toMatchObject({
      creditsBalance: 120,
      creditsBonus: 20,
      creditsPurchased: 100,
      creditsUsed: 30,
      deductedFromBonus: 30,
      deductedFromPurchased: 0,
    });
  });

  it('takes the rest from purchased credits once bonus credits run out', async () => {
    const user = await userWith({ bonus: 50, purchased: 100 });
    const result = await deductCreditsBonusFirst({ userId: user.id, credits: 80, reason: 'Video render' });
    expect(result).toMatchObject({ creditsBonus: 0, creditsPurchased: 70, creditsUsed: 80, deductedFromBonus: 50, deductedFromPurchased: 30 });
  });

  it('can spend the balance down to exactly zero', async () => {
    const user = await userWith({ bonus: 5, purchased: 5 });
    const result = await deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'All of it' });
    expect(result).toMatchObject({ creditsBalance: 0, creditsUsed: 10 });
  });

  it('refuses a cost the balance does not cover, naming required and available, and changes nothing', async () => {
    const user = await userWith({ bonus: 5, purchased: 10 });
    const before = await ledgerOf(user.id);

    const error = await deductCreditsBonusFirst({ userId: user.id, credits: 16, reason: 'Too much' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InsufficientCreditsError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', required: 16, available: 15 });
    expect(await getCreditsBalance(user.id)).toEqual({ creditsBalance: 15, creditsBonus: 5, creditsPurchased: 10, creditsHeld: 0, creditsUsed: 0 });
    expect(await ledgerOf(user.id)).toEqual(before);
  });

  it('refuses a user who never had credits as insufficient, with 0 available', async () => {
    const user = await createUser();
    await expect(deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: 'x' })).rejects.toMatchObject({ required: 1, available: 0 });
    expect(await balanceRowOf(user.id)).toMatchObject({ purchased: 0, bonus: 0, held: 0, used: 0 });
  });

  it('records the deduction in the ledger with its bucket deltas, balances after, reason and actor', async () => {
    const user = await userWith({ bonus: 10, purchased: 100 });
    const result = await deductCreditsBonusFirst({ userId: user.id, credits: 25, reason: 'Run generation', metadata: { prompt: 'a cat' } });
    const entry = (await ledgerOf(user.id)).at(-1)!;
    expect(String(entry.id)).toBe(result.transactionId);
    expect(entry).toMatchObject({
      type: 'deduction',
      bonusDelta: -10,
      purchasedDelta: -15,
      usedDelta: 25,
      bonusAfter: 0,
      purchasedAfter: 85,
      usedAfter: 25,
      reason: 'Run generation',
      actorType: 'user',
      actorId: user.id,
      metadata: { prompt: 'a cat' },
    });
  });
});

describe('idempotency keys', () => {
  it('return the first result on a retry and charge once', async () => {
    const user = await userWith({ purchased: 100 });
    const first = await deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'Job 1', idempotencyKey: 'job-1' });
    const retry = await deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'Job 1', idempotencyKey: 'job-1' });
    expect(retry).toEqual(first);
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(90);
  });

  it('charge once when the same call is retried concurrently', async () => {
    const user = await userWith({ purchased: 100 });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => deductCreditsBonusFirst({ userId: user.id, credits: 7, reason: 'Job 2', idempotencyKey: 'job-2' })),
    );
    expect(new Set(results.map((r) => r.transactionId)).size).toBe(1);
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(93);
    expect((await ledgerOf(user.id)).filter((e) => e.type === 'deduction')).toHaveLength(1);
  });

  it('return the first result to every concurrent retry, even when the first call spent everything', async () => {
    const user = await userWith({ purchased: 10 });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'Job 2b', idempotencyKey: 'job-2b' })),
    );
    expect(new Set(results.map((r) => r.transactionId)).size).toBe(1);
    expect(results[0]).toMatchObject({ creditsBalance: 0, deductedFromPurchased: 10 });
  });

  it('throw a conflict when the same key comes with different arguments, and change nothing', async () => {
    const user = await userWith({ purchased: 100 });
    await deductCreditsBonusFirst({ userId: user.id, credits: 10, reason: 'Job 3', idempotencyKey: 'job-3' });
    await expect(deductCreditsBonusFirst({ userId: user.id, credits: 11, reason: 'Job 3', idempotencyKey: 'job-3' })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
    await expect(addCreditsDirectly({ userId: user.id, credits: 10, creditsType: 'bonus', reason: 'Job 3', idempotencyKey: 'job-3' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(90);
  });

  it('are per user: two users may use the same key', async () => {
    const [a, b] = [await userWith({ purchased: 10 }), await userWith({ purchased: 10 })];
    await deductCreditsBonusFirst({ userId: a.id, credits: 1, reason: 'Same key', idempotencyKey: 'k' });
    await deductCreditsBonusFirst({ userId: b.id, credits: 1, reason: 'Same key', idempotencyKey: 'k' });
    expect((await getCreditsBalance(a.id)).creditsBalance).toBe(9);
    expect((await getCreditsBalance(b.id)).creditsBalance).toBe(9);
  });

  it('grant once when a keyed grant is retried', async () => {
    const user = await createUser();
    const grant = { userId: user.id, credits: 250, creditsType: 'bonus' as const, reason: 'Welcome bonus', idempotencyKey: 'welcome' };
    const [first, second] = await Promise.all([addCreditsDirectly(grant), addCreditsDirectly(grant)]);
    expect(second).toEqual(first);
    expect((await getCreditsBalance(user.id)).creditsBonus).toBe(250);
  });
  it('treats the same key with another request fingerprint as a conflict, and replays the same one', async () => {
    const user = await userWith({ bonus: 100 });
    const charge = { userId: user.id, credits: 10, reason: 'Summarize', idempotencyKey: 'sum-1' };
    const first = await deductCreditsBonusFirst({ ...charge, requestFingerprint: fingerprintRequest({ text: 'first text' }) });
    const retry = await deductCreditsBonusFirst({ ...charge, requestFingerprint: fingerprintRequest({ text: 'first text' }) });
    expect(retry).toEqual(first);
    await expect(deductCreditsBonusFirst({ ...charge, requestFingerprint: fingerprintRequest({ text: 'other text' }) })).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(90);
  });
});

describe('addCreditsDirectly', () => {
  it('adds to the bucket it names and returns the new balances', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 250, creditsType: 'bonus', reason: 'Welcome bonus' });
    const result = await addCreditsDirectly({ userId: user.id, credits: 1000, creditsType: 'purchased', reason: 'Invoice 42' });
    expect(result).toMatchObject({ creditsBalance: 1250, creditsBonus: 250, creditsPurchased: 1000, creditsUsed: 0 });
  });

  it('records the admin who granted the credits', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 250, creditsType: 'bonus', reason: 'Compensation', actorId: admin.id });
    expect((await ledgerOf(user.id))[0]).toMatchObject({ type: 'grant', actorType: 'admin', actorId: admin.id, bonusDelta: 250, reason: 'Compensation' });
  });

  it('refuses a grant that would take the balance past the largest exact integer, and changes nothing', async () => {
    const user = await userWith({ purchased: Number.MAX_SAFE_INTEGER - 1 });
    await expect(addCreditsDirectly({ userId: user.id, credits: 2, creditsType: 'bonus', reason: 'Overflow' })).rejects.toBeInstanceOf(
      CreditsBalanceLimitError,
    );
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(Number.MAX_SAFE_INTEGER - 1);
  });
});

describe('bad input writes nothing', () => {
  const badCredits: [string, unknown][] = [
    ['zero', 0],
    ['negative', -5],
    ['fractional', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string', '10'],
    ['beyond the maximum', Number.MAX_SAFE_INTEGER + 2],
  ];

  it.each(badCredits)('refuses %s credits with a typed error', async (_label, credits) => {
    const user = await userWith({ bonus: 100, purchased: 100 });
    const deduct = deductCreditsBonusFirst({ userId: user.id, credits: credits as number, reason: 'x' });
    const grant = addCreditsDirectly({ userId: user.id, credits: credits as number, creditsType: 'bonus', reason: 'x' });
    for (const call of [deduct, grant]) {
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidCreditsInputError);
      expect((error as InvalidCreditsInputError).issues[0]!.path).toBe('credits');
    }
    expect(await ledgerOf(user.id)).toHaveLength(2);
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(200);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['over-long', 'x'.repeat(501)],
  ])('refuses an %s reason', async (_label, reason) => {
    const user = await userWith({ purchased: 100 });
    await expect(deductCreditsBonusFirst({ userId: user.id, credits: 1, reason })).rejects.toThrow(/reason must/);
    await expect(addCreditsDirectly({ userId: user.id, credits: 1, creditsType: 'bonus', reason })).rejects.toThrow(/reason must/);
    expect(await ledgerOf(user.id)).toHaveLength(1);
  });

  const nul = '\u0000';
  const loneSurrogate = '\uD800';
  it.each([
    ['a NUL in userId', { userId: `user${nul}` }],
    ['a NUL in reason', { reason: `Run${nul}generation` }],
    ['a NUL in idempotencyKey', { idempotencyKey: `key${nul}` }],
    ['a NUL in requestFingerprint', { requestFingerprint: `fp${nul}` }],
    ['a NUL in a metadata value', { metadata: { prompt: `a${nul}b` } }],
    ['a NUL in a metadata key', { metadata: { [`k${nul}`]: 1 } }],
    ['a NUL deep in metadata', { metadata: { a: [{ b: [nul] }] } }],
    ['a lone surrogate in reason', { reason: `x${loneSurrogate}` }],
    ['a lone surrogate in metadata', { metadata: { s: `\uDC00x` } }],
    ['metadata that is not JSON', { metadata: { at: new Date() } }],
    ['metadata with a non-finite number', { metadata: { n: Number.NaN } }],
    ['metadata nested too deep', { metadata: JSON.parse(`${'{"a":'.repeat(10)}1${'}'.repeat(10)}`) }],
    ['metadata that is an array', { metadata: [1, 2] }],
  ])('refuses %s with InvalidCreditsInputError, writing nothing', async (_label, bad) => {
    const user = await userWith({ purchased: 100 });
    const deduct = { userId: user.id, credits: 1, reason: 'x', ...bad } as Parameters<typeof deductCreditsBonusFirst>[0];
    const grant = { userId: user.id, credits: 1, creditsType: 'bonus' as const, reason: 'x', ...bad } as Parameters<typeof addCreditsDirectly>[0];
    await expect(deductCreditsBonusFirst(deduct)).rejects.toBeInstanceOf(InvalidCreditsInputError);
    await expect(addCreditsDirectly(grant)).rejects.toBeInstanceOf(InvalidCreditsInputError);
    await expect(addCreditsDirectly({ ...grant, actorId: `admin${nul}` })).rejects.toBeInstanceOf(InvalidCreditsInputError);
    expect(await ledgerOf(user.id)).toHaveLength(1);
  });

  it('refuses a NUL in the user id of the read services', async () => {
    await expect(getCreditsBalance('a\u0000b')).rejects.toBeInstanceOf(InvalidCreditsInputError);
    await expect(listCreditTransactions('a\u0000b')).rejects.toBeInstanceOf(InvalidCreditsInputError);
  });

  it('keeps a well-formed emoji (a surrogate pair) exactly', async () => {
    const user = await userWith({ purchased: 100 });
    await deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: 'Rocket 🚀', metadata: { note: '🚀' } });
    expect((await ledgerOf(user.id)).at(-1)).toMatchObject({ reason: 'Rocket 🚀', metadata: { note: '🚀' } });
  });

  it('refuses an idempotency key in the namespace reserved for purchases and the sign-up bonus', async () => {
    const user = await userWith({ purchased: 10 });
    await expect(
      deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: 'x', idempotencyKey: 'system:checkout:cs_123' }),
    ).rejects.toThrow('idempotencyKey must not start with "system:" (reserved)');
    expect(await ledgerOf(user.id)).toHaveLength(1);
  });

  it('refuses a bucket other than bonus or purchased', async () => {
    const user = await createUser();
    await expect(
      addCreditsDirectly({ userId: user.id, credits: 1, creditsType: 'free' as 'bonus', reason: 'x' }),
    ).rejects.toThrow('creditsType must be "bonus" or "purchased"');
    expect(await balanceRowOf(user.id)).toMatchObject({ purchased: 0, bonus: 0, held: 0, used: 0 });
  });

  it('refuses a user that does not exist', async () => {
    await expect(addCreditsDirectly({ userId: 'no-such-user', credits: 5, creditsType: 'bonus', reason: 'x' })).rejects.toBeInstanceOf(UserNotFoundError);
    await expect(deductCreditsBonusFirst({ userId: 'no-such-user', credits: 5, reason: 'x' })).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(await ledgerOf('no-such-user')).toEqual([]);
  });

  it('refuses everything while credits are disabled in config', async () => {
    const user = await userWith({ purchased: 10 });
    appConfig.billing.credits.enabled = false;
    try {
      await expect(deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: 'x' })).rejects.toBeInstanceOf(CreditsDisabledError);
      await expect(addCreditsDirectly({ userId: user.id, credits: 1, creditsType: 'bonus', reason: 'x' })).rejects.toThrow(
        'Credits are disabled: set billing.credits.enabled to true in src/config/app.ts',
      );
    } finally {
      appConfig.billing.credits.enabled = true;
    }
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(10);
  });
});

describe('the ledger and balance tables', () => {
  it('refuse to change or delete a ledger entry', async () => {
    const user = await userWith({ bonus: 10 });
    const db = await getDb();
    await expect(db.execute(sql`update credit_transactions set bonus_delta = 1000 where wallet_id = ${walletIdOf(user.id)}`)).rejects.toSatisfy(causedBy(/append-only/));
    await expect(db.execute(sql`delete from credit_transactions where wallet_id = ${walletIdOf(user.id)}`)).rejects.toSatisfy(causedBy(/append-only/));
    expect(await ledgerOf(user.id)).toHaveLength(1);
  });

  it('keep every bucket at or above zero even against a direct write', async () => {
    const user = await userWith({ bonus: 10 });
    const db = await getDb();
    await expect(db.execute(sql`update credit_balances set bonus = bonus - 11 where wallet_id = ${walletIdOf(user.id)}`)).rejects.toSatisfy(
      causedBy(/credit_balances_bonus_non_negative/),
    );
  });
});

describe('listCreditTransactions', () => {
  it('pages through a user’s ledger newest first', async () => {
    const user = await createUser();
    for (const credits of [1, 2, 3, 4, 5]) {
      await addCreditsDirectly({ userId: user.id, credits, creditsType: 'bonus', reason: `Grant ${credits}` });
    }
    const first = await listCreditTransactions(user.id, { limit: 2 });
    expect(first.items.map((t) => t.reason)).toEqual(['Grant 5', 'Grant 4']);
    const second = await listCreditTransactions(user.id, { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((t) => t.reason)).toEqual(['Grant 3', 'Grant 2']);
    const last = await listCreditTransactions(user.id, { limit: 2, cursor: second.nextCursor! });
    expect(last).toMatchObject({ items: [{ reason: 'Grant 1', type: 'grant', bonusDelta: 1, bonusAfter: 1, actorType: 'system' }], nextCursor: null });
  });

  it('shows nobody else’s entries', async () => {
    const [a, b] = [await userWith({ bonus: 1 }), await userWith({ bonus: 2 })];
    expect((await listCreditTransactions(a.id)).items.map((t) => t.bonusDelta)).toEqual([1]);
    expect((await listCreditTransactions(b.id)).items.map((t) => t.bonusDelta)).toEqual([2]);
  });
});

describe('grantSignUpBonus', () => {
  it('gives a new user the configured bonus once, even when the hook runs twice', async () => {
    const user = await createUser();
    await Promise.all([grantSignUpBonus(user.id), grantSignUpBonus(user.id)]);
    await grantSignUpBonus(user.id);
    expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBonus: appConfig.billing.credits.initialBonusCredits, creditsPurchased: 0 });
    expect(await ledgerOf(user.id)).toMatchObject([{ type: 'signup_bonus', actorType: 'system', reason: 'Sign-up bonus' }]);
  });
});
