import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { deductCreditsBonusFirst, InsufficientCreditsError } from '@/features/common/payments/service/credits-balance.service';
import { appConfig } from '@/config/app';
import {
  IdempotencyConflictError,
  MemberCapExceededError,
  NotOrganizationMemberError,
  UserNotFoundError,
} from '@/features/common/payments/service/credits-errors';
import { addOrganizationMember, createOrganization, setOrganizationMemberCap } from '@/features/common/payments/service/organizations/organizations.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { getDb, queryRows } from '@/shared/db/client';
import { balanceRowOf, createUser, expectLedgerMatchesBalances, ledgerOf, walletIdOf } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

// Batching is on by default (billing.credits.batchDeductions). Calls for one wallet made while one
// is in flight go to the database together, as one statement.
const database = setupTestDatabase({ poolSize: 16 });

afterEach(async () => {
  await expectLedgerMatchesBalances();
});

async function userWith(credits: { bonus?: number; purchased?: number }) {
  const user = await createUser();
  if (credits.bonus) await addCreditsDirectly({ userId: user.id, credits: credits.bonus, creditsType: 'bonus', reason: 'Promo' });
  if (credits.purchased) await addCreditsDirectly({ userId: user.id, credits: credits.purchased, creditsType: 'purchased', reason: 'Pack' });
  return user;
}

describe(`batched deductions on ${testDriver}`, () => {
  it('are on by default', () => {
    expect(appConfig.billing.credits.batchDeductions).toBe(true);
  });

  it('never overdraw: of a burst larger than one batch, exactly as many succeed as the balance allows', async () => {
    const user = await userWith({ bonus: 200, purchased: 300 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 700 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Call ${i}` })),
    );
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    for (const o of refused) expect(o.reason).toBeInstanceOf(InsufficientCreditsError);
    expect(refused).toHaveLength(200);
    expect(await balanceRowOf(user.id)).toMatchObject({ bonus: 0, purchased: 0, used: 500 });
    // Bonus first across the batches too: every credit from bonus was spent before any purchased one.
    const deductions = (await ledgerOf(user.id)).filter((e) => e.type === 'deduction');
    expect(deductions.findLastIndex((e) => e.bonusDelta < 0)).toBeLessThan(deductions.findIndex((e) => e.purchasedDelta < 0));
  });

  it('answer each call of a batch for itself: a call refused (not a member, over its cap, not enough, a key conflict) fails alone', async () => {
    const owner = await createUser();
    const { id: organizationId } = await createOrganization({ userId: owner.id, name: 'Initech' });
    await addCreditsDirectly({ organizationId, credits: 50, creditsType: 'bonus', reason: 'Promo' });
    await addCreditsDirectly({ organizationId, credits: 100, creditsType: 'purchased', reason: 'Team pack' });
    const [member, capped, outsider] = [await createUser(), await createUser(), await createUser()];
    for (const m of [member, capped]) await addOrganizationMember({ organizationId, memberId: m.id }, { userId: owner.id });
    await setOrganizationMemberCap({ userId: owner.id, organizationId, memberId: capped.id, monthlyCap: 3 });
    await deductCreditsBonusFirst({ userId: member.id, organizationId, credits: 1, reason: 'First', idempotencyKey: 'key-1' });

    const spend = (userId: string, credits: number, extra: { reason?: string; idempotencyKey?: string } = {}) =>
      deductCreditsBonusFirst({ userId, organizationId, credits, reason: 'Call', ...extra });
    // The first goes out alone; the rest wait for it and go together, as one statement.
    const outcomes = await Promise.allSettled([
      spend(member.id, 2),
      spend(member.id, 2),
      spend(outsider.id, 1),
      spend(capped.id, 2),
      spend(capped.id, 2),
      spend(member.id, 1000),
      spend(member.id, 5, { reason: 'First', idempotencyKey: 'key-1' }),
      spend(member.id, 1, { reason: 'First', idempotencyKey: 'key-1' }),
      spend(member.id, 2),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const reasonOf = (i: number) => (outcomes[i] as PromiseRejectedResult).reason;
    expect(reasonOf(2)).toBeInstanceOf(NotOrganizationMemberError);
    expect(reasonOf(4)).toBeInstanceOf(MemberCapExceededError);
    expect(reasonOf(5)).toBeInstanceOf(InsufficientCreditsError);
    expect(reasonOf(6)).toBeInstanceOf(IdempotencyConflictError);
    const first = (await ledgerOf({ organizationId })).find((e) => e.idempotencyKey === 'key-1')!;
    expect((outcomes[7] as PromiseFulfilledResult<{ transactionId: string }>).value.transactionId).toBe(String(first.id));

    const deductions = (await ledgerOf({ organizationId })).filter((e) => e.type === 'deduction');
    expect(deductions.map((e) => e.usedDelta)).toEqual([1, 2, 2, 2, 2]);
    expect(new Set(deductions.slice(1).map((e) => e.createdAt.getTime())).size).toBeLessThan(4);
    expect(await balanceRowOf({ organizationId })).toMatchObject({ bonus: 41, purchased: 100, used: 9 });
  });

  it('send the calls that waited as one statement: several entries share one transaction', async () => {
    const user = await userWith({ purchased: 1000 });
    await Promise.all(Array.from({ length: 60 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Call ${i}` })));
    const deductions = (await ledgerOf(user.id)).filter((e) => e.type === 'deduction');
    expect(deductions).toHaveLength(60);
    // Entries written in one statement carry the same transaction time.
    const transactions = new Set(deductions.map((e) => e.createdAt.getTime()));
    expect(transactions.size).toBeLessThan(60);
    expect(await balanceRowOf(user.id)).toMatchObject({ purchased: 940, used: 60 });
  });

  it('spend bonus first within a batch, in arrival order', async () => {
    const user = await userWith({ bonus: 25, purchased: 100 });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Call ${i}` })));
    expect(results.filter((r) => r.deductedFromBonus === 1)).toHaveLength(25);
    const deductions = (await ledgerOf(user.id)).filter((e) => e.type === 'deduction');
    const lastFromBonus = deductions.findLastIndex((e) => e.bonusDelta < 0);
    const firstFromPurchased = deductions.findIndex((e) => e.purchasedDelta < 0);
    expect(lastFromBonus).toBeLessThan(firstFromPurchased);
    // Each caller got the balances its own entry left behind.
    const afterById = new Map(deductions.map((e) => [String(e.id), e.purchasedAfter + e.bonusAfter]));
    for (const r of results) expect(r.creditsBalance).toBe(afterById.get(r.transactionId));
  });

  it('accept each call only while the running balance covers it, refusing the rest one by one', async () => {
    const user = await userWith({ purchased: 10 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Call ${i}` })),
    );
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refused).toHaveLength(5);
    for (const o of refused) {
      expect(o.reason).toBeInstanceOf(InsufficientCreditsError);
      expect(o.reason).toMatchObject({ required: 1, available: 0 });
    }
  });

  it('keep idempotency per call: one key in many concurrent calls charges once, another request with it conflicts', async () => {
    const user = await userWith({ purchased: 100 });
    const calls = [
      ...Array.from({ length: 20 }, () => deductCreditsBonusFirst({ userId: user.id, credits: 7, reason: 'Render', idempotencyKey: 'render-1' })),
      deductCreditsBonusFirst({ userId: user.id, credits: 8, reason: 'Render', idempotencyKey: 'render-1' }),
      ...Array.from({ length: 10 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Other ${i}` })),
    ];
    const outcomes = await Promise.allSettled(calls);
    const keyed = outcomes.slice(0, 20).map((o) => (o as PromiseFulfilledResult<{ transactionId: string }>).value.transactionId);
    expect(new Set(keyed).size).toBe(1);
    expect((outcomes[20] as PromiseRejectedResult).reason).toBeInstanceOf(IdempotencyConflictError);
    expect(await balanceRowOf(user.id)).toMatchObject({ used: 17, purchased: 83 });
  });

  it('fall back to one statement per call when a batch fails as a whole, so no call fails for another', async () => {
    const user = await userWith({ purchased: 100 });
    const db = await getDb();
    await db.execute(sql`alter function credits_deduct_many(text, jsonb) rename to credits_deduct_many_off`);
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => deductCreditsBonusFirst({ userId: user.id, credits: 2, reason: `Call ${i}` })));
      expect(results).toHaveLength(20);
    } finally {
      await db.execute(sql`alter function credits_deduct_many_off(text, jsonb) rename to credits_deduct_many`);
    }
    expect(await balanceRowOf(user.id)).toMatchObject({ used: 40, purchased: 60 });
    // No batch statement succeeded: every entry was written by a transaction of its own (its xmin;
    // transaction times can tie within the clock's resolution).
    const [written] = await queryRows<{ transactions: number | string }>(
      db,
      sql`select count(distinct xmin::text) as transactions from credit_transactions where wallet_id = ${walletIdOf(user.id)} and type = 'deduction'`,
    );
    expect(Number(written!.transactions)).toBe(20);
  });
});

describe(`batched deductions across wallets on ${testDriver}`, () => {
  // One statement in flight: whatever arrives meanwhile, for any wallets, waits and goes together.
  const credits = appConfig.billing.credits as { maxDeductionStatements: number | null };
  beforeEach(() => {
    credits.maxDeductionStatements = 1;
  });
  afterEach(() => {
    credits.maxDeductionStatements = null;
  });

  const spend = (userId: string, credits: number, extra: { reason?: string; idempotencyKey?: string } = {}) =>
    deductCreditsBonusFirst({ userId, credits, reason: 'Call', ...extra });

  /** How many transactions wrote these users' deductions. */
  async function transactionsOf(...userIds: string[]) {
    const [row] = await queryRows<{ transactions: number | string }>(
      await getDb(),
      sql`select count(distinct xmin::text) as transactions from credit_transactions
          where wallet_id in ${userIds.map(walletIdOf)} and type = 'deduction'`,
    );
    return Number(row!.transactions);
  }

  it('carry several wallets in one statement, answering each call as one by one would have', async () => {
    const a = await userWith({ bonus: 5, purchased: 10 });
    const b = await userWith({ purchased: 3 });
    const c = await userWith({ purchased: 100 });
    const first = await spend(c.id, 4, { reason: 'Job', idempotencyKey: 'job-1' });

    const outcomes = await Promise.allSettled([
      spend(c.id, 1), // alone: the others wait for it
      spend(a.id, 4),
      spend(b.id, 2),
      spend(a.id, 4),
      spend(b.id, 2),
      spend(c.id, 4, { reason: 'Job', idempotencyKey: 'job-1' }),
      spend(c.id, 5, { reason: 'Job', idempotencyKey: 'job-1' }),
      spend('no-such-user', 1),
      spend(a.id, 1),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    const value = (i: number) => (outcomes[i] as PromiseFulfilledResult<Awaited<ReturnType<typeof spend>>>).value;
    const reason = (i: number) => (outcomes[i] as PromiseRejectedResult).reason;
    // Each wallet's calls in arrival order, bonus first, each with the balance its own entry left.
    expect([value(1), value(3), value(8)].map((r) => [r.deductedFromBonus, r.deductedFromPurchased, r.creditsBalance])).toEqual([
      [4, 0, 11],
      [1, 3, 7],
      [0, 1, 6],
    ]);
    expect(value(2)).toMatchObject({ deductedFromPurchased: 2, creditsBalance: 1 });
    expect(reason(4)).toBeInstanceOf(InsufficientCreditsError);
    expect(reason(4)).toMatchObject({ required: 2, available: 1 });
    expect(value(5).transactionId).toBe(first.transactionId);
    expect(reason(6)).toBeInstanceOf(IdempotencyConflictError);
    expect(reason(7)).toBeInstanceOf(UserNotFoundError);

    expect(await balanceRowOf(a.id)).toMatchObject({ bonus: 0, purchased: 6, used: 9 });
    expect(await balanceRowOf(b.id)).toMatchObject({ purchased: 1, used: 2 });
    expect(await balanceRowOf(c.id)).toMatchObject({ purchased: 95, used: 5 });
    // a's and b's deductions were all written by the one statement that carried them.
    expect(await transactionsOf(a.id, b.id)).toBe(1);
  });

  it('keep a wallet in arrival order when room for statements grows while calls wait', async () => {
    const [a, b] = [await userWith({ purchased: 50 }), await userWith({ purchased: 5 })];
    const order: string[] = [];
    const log = (name: string, call: Promise<unknown>) =>
      call.then(
        () => order.push(`${name} ok`),
        (error: Error) => order.push(`${name} ${error.name}`),
      );
    const first = spend(a.id, 1); // alone: the one statement allowed
    const five = log('b5', spend(b.id, 5)); // waits for room
    credits.maxDeductionStatements = 16; // as when the pool opens, or the setting changes
    const one = log('b1', spend(b.id, 1)); // after b5: must not pass it
    await Promise.all([first, five, one]);
    expect(order).toEqual(['b5 ok', 'b1 InsufficientCreditsError']);
  });

  it('fall back wallet by wallet when the statement across wallets fails as a whole', async () => {
    const users = [await userWith({ purchased: 50 }), await userWith({ purchased: 50 }), await userWith({ purchased: 50 })];
    const db = await getDb();
    await db.execute(sql`alter function credits_deduct_across(jsonb) rename to credits_deduct_across_off`);
    try {
      const results = await Promise.all(users.flatMap((u) => [spend(u.id, 2), spend(u.id, 3)]));
      expect(results.map((r) => r.creditsBalance).sort((x, y) => x - y)).toEqual([45, 45, 45, 48, 48, 48].sort((x, y) => x - y));
    } finally {
      await db.execute(sql`alter function credits_deduct_across_off(jsonb) rename to credits_deduct_across`);
    }
    for (const u of users) expect(await balanceRowOf(u.id)).toMatchObject({ purchased: 45, used: 5 });
  });

  /** Another connection's transaction holding a user's wallet row until `release()` (Postgres only). */
  async function holdWallet(userId: string) {
    const holder = postgres(database.url!, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = holder.begin(async (tx) => {
      await tx`select 1 from credit_balances where wallet_id = ${walletIdOf(userId)} for update`;
      locked();
      await released;
    });
    await isLocked;
    let ended: Promise<void> | undefined;
    return {
      release: () =>
        (ended ??= (async () => {
          release();
          await holding;
          await holder.end();
        })()),
    };
  }

  // PGlite has one connection: nothing else can hold a row there.
  it.skipIf(testDriver === 'pglite')('never wait for a wallet another transaction holds: the rest are answered, its calls go once it is free', async () => {
    const [a, b, held] = [await userWith({ purchased: 50 }), await userWith({ purchased: 50 }), await userWith({ purchased: 50 })];
    const lock = await holdWallet(held.id);
    try {
      let heldDone = false;
      const alone = spend(a.id, 1);
      const heldCall = spend(held.id, 7).finally(() => (heldDone = true));
      const others = [spend(b.id, 2), spend(a.id, 3)];
      await Promise.all([alone, ...others]);
      // The held wallet's call waits on its own, outside the statements in flight: later calls still go.
      expect(await spend(b.id, 1)).toMatchObject({ creditsBalance: 47 });
      expect(heldDone).toBe(false);
      await lock.release();
      expect(await heldCall).toMatchObject({ deductedFromPurchased: 7, creditsBalance: 43 });
    } finally {
      await lock.release();
    }
    expect(await balanceRowOf(a.id)).toMatchObject({ purchased: 46, used: 4 });
    expect(await balanceRowOf(b.id)).toMatchObject({ purchased: 47, used: 3 });
    expect(await balanceRowOf(held.id)).toMatchObject({ purchased: 43, used: 7 });
  });

  it.skipIf(testDriver === 'pglite')('let a lone call stuck on a held wallet stop counting: other wallets wait for it only briefly', async () => {
    const [free, held] = [await userWith({ purchased: 50 }), await userWith({ purchased: 50 })];
    const lock = await holdWallet(held.id);
    try {
      let heldDone = false;
      const stuck = spend(held.id, 1).finally(() => (heldDone = true)); // alone, the one statement allowed; waits for the lock
      const started = Date.now();
      expect(await spend(free.id, 2)).toMatchObject({ creditsBalance: 48 });
      // Far less than the lock is held (until released below), though the one statement allowed is still out.
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(heldDone).toBe(false);
      await lock.release();
      expect(await stuck).toMatchObject({ creditsBalance: 49 });
    } finally {
      await lock.release();
    }
  });
});
