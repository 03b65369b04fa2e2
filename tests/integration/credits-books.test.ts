import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { deductCreditsBonusFirst, reserveCredits } from '@/features/common/payments/service/credits-balance.service';
import { InvalidCreditsInputError } from '@/features/common/payments/service/credits-errors';
import { getCreditsBooks, type BooksMonth } from '@/features/common/payments/service/insights/books';
import { correctCredits } from '@/features/common/payments/service/ledger/corrections';
import { expireDueCredits } from '@/features/common/payments/service/ledger/expiry';
import { addCreditsDirectly, createCreditsCheckoutSession } from '@/features/common/payments/service/payment.service';
import { getDb, queryRows } from '@/shared/db/client';
import { creditTransactions } from '@/shared/db/schema';
import { createUser, expectLedgerMatchesBalances, ledgerOf, walletIdOf } from '../helpers/factories';
import { deliver, fixtureEvent } from '../helpers/stripe-events';
import { startStripeServer } from '../helpers/stripe-server';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

/*
 * The books of one small, hand-computed ledger. This file has its database to itself, so the books
 * (which add up every wallet) contain exactly the entries made here.
 *
 *   A buys Starter (1,000 credits for $10.00) two months ago and gets 100 bonus credits then; buys Pro
 *   (5,000 for $40.00) last month and spends 150 (100 bonus, 50 from Starter); this month $10.00 of Pro
 *   is refunded (1,250 credits), and A reserves 200 (from Starter) in a hold still open.
 *   B gets 300 bonus from an admin and 500 purchased credits with no purchase, spends 320 (300 bonus,
 *   20 purchased), an admin adds 40 purchased, and 60 bonus credits expire.
 *   C gets a 25-credit sign-up bonus, spends 5, and 10 bonus credits whose expiry has passed but which
 *   the expiry job has not swept yet.
 */

vi.spyOn(console, 'info').mockImplementation(() => {});
vi.spyOn(console, 'warn').mockImplementation(() => {});

setupTestDatabase();

let stripe: Awaited<ReturnType<typeof startStripeServer>>;

const now = new Date();
const monthStart = (back: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
const monthKey = (back: number) => monthStart(back).toISOString().slice(0, 7);
/** Noon on the 1st of the month `back` months ago: at least 28 days ago for back ≥ 1. */
const inMonth = (back: number) => new Date(monthStart(back).getTime() + 12 * 60 * 60 * 1000);

async function moveEntry(id: number | string, createdAt: Date) {
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx
      .update(creditTransactions)
      .set({ createdAt })
      .where(eq(creditTransactions.id, Number(id)));
  });
}

async function lastEntryId(userId: string) {
  return (await ledgerOf(userId)).at(-1)!.id;
}

/** Buys a package through checkout and the signed webhook, as a buyer does; returns the purchase's payment intent. */
async function buy(userId: string, packageId: 'starter' | 'pro', amountMinor: number) {
  const session = await createCreditsCheckoutSession({ userId, packageId }, { successUrl: 'http://localhost:3000/?s', cancelUrl: 'http://localhost:3000/?c' });
  const paymentIntent = `pi_test_${session.id}`;
  const response = await deliver(
    fixtureEvent('checkout.session.completed.json', { id: session.id, payment_intent: paymentIntent, amount_total: amountMinor, amount_subtotal: amountMinor }),
  );
  expect(response.status).toBe(200);
  return paymentIntent;
}

async function expireBonus(userId: string, credits: number, sweep: boolean) {
  const { lotId } = await addCreditsDirectly({ userId, credits, creditsType: 'bonus', reason: 'Promo', expiresAt: new Date(Date.now() + 60_000) });
  const db = await getDb();
  await db.execute(sql`update credit_lots set expires_at = now() - interval '1 second' where id = ${lotId}`);
  await db.execute(sql`update credit_balances set next_expiry_at = now() - interval '1 second' where wallet_id = ${walletIdOf(userId)}`);
  if (sweep) await expireDueCredits(db);
}

const zeroMonth = (back: number): BooksMonth => ({
  month: monthKey(back),
  bought: 0,
  boughtFor: [],
  spent: 0,
  refunded: 0,
  expired: 0,
  granted: 0,
  corrected: 0,
});

let users: { a: string; b: string; c: string };

beforeAll(async () => {
  stripe = await startStripeServer();
  const admin = await createUser({ role: 'admin', email: 'books-admin@example.com' });
  const [a, b, c] = [await createUser({ email: 'a@example.com' }), await createUser({ email: 'b@example.com' }), await createUser({ email: 'c@example.com' })];
  users = { a: a.id, b: b.id, c: c.id };

  await buy(a.id, 'starter', 1000);
  await moveEntry(await lastEntryId(a.id), inMonth(2));
  await addCreditsDirectly({ userId: a.id, credits: 100, creditsType: 'bonus', reason: 'Welcome' });
  await moveEntry(await lastEntryId(a.id), inMonth(2));
  const pro = await buy(a.id, 'pro', 4000);
  await moveEntry(await lastEntryId(a.id), inMonth(1));
  await deductCreditsBonusFirst({ userId: a.id, credits: 150, reason: 'Run generation', feature: 'generation' });
  await moveEntry(await lastEntryId(a.id), inMonth(1));
  expect((await deliver(fixtureEvent('charge.refunded.json', { payment_intent: pro, amount: 4000, amount_refunded: 1000 }))).status).toBe(200);
  await reserveCredits({ userId: a.id, credits: 200, reason: 'Render' });

  await addCreditsDirectly({ userId: b.id, credits: 300, creditsType: 'bonus', reason: 'Goodwill', actorId: admin.id });
  await addCreditsDirectly({ userId: b.id, credits: 500, creditsType: 'purchased', reason: 'Invoice 7' });
  await moveEntry(await lastEntryId(b.id), inMonth(1));
  await deductCreditsBonusFirst({ userId: b.id, credits: 320, reason: 'Run generation' });
  await correctCredits({ userId: b.id, bucket: 'purchased', credits: 40, reason: 'Invoice 8 missing', adminId: admin.id });
  await expireBonus(b.id, 60, true);

  await addCreditsDirectly({ userId: c.id, credits: 25, creditsType: 'bonus', reason: 'Sign-up bonus' }, { type: 'signup_bonus' });
  await deductCreditsBonusFirst({ userId: c.id, credits: 5, reason: 'Run generation' });
  await expireBonus(c.id, 10, false);
});

afterAll(() => stripe.close());

describe(`the books on ${testDriver}`, () => {
  it('counts outstanding purchased and bonus credits, held ones included, expired ones left out', async () => {
    const { outstanding } = await getCreditsBooks();
    // Purchased: A 750 in Starter + 200 held from it + 3,750 in Pro; B 480 unpriced + 40 corrected. Bonus: C 20.
    expect(outstanding).toMatchObject({ purchased: 5220, bonus: 20, held: 200, unpricedPurchased: 520 });
  });

  it('values outstanding purchased credits at their purchase price: deferred revenue', async () => {
    const { outstanding } = await getCreditsBooks();
    // Starter: 950 × $10.00 / 1,000 = $9.50; Pro: 3,750 × $40.00 / 5,000 = $30.00.
    expect(outstanding.deferredRevenue).toEqual([{ currency: 'usd', amountMinor: 3950, credits: 4700 }]);
  });

  it('sums each month’s entries: bought (and for how much), spent, refunded, expired, granted, corrected', async () => {
    const { months } = await getCreditsBooks();
    expect(months).toHaveLength(12);
    expect(months.slice(0, 3)).toEqual([
      // This month: B 320 + C 5 spent; Pro's refund; B's 60 expired; 300 + 25 + 60 + 10 given; +40 corrected.
      { ...zeroMonth(0), spent: 325, refunded: 1250, expired: 60, granted: 395, corrected: 40 },
      { ...zeroMonth(1), bought: 5000, boughtFor: [{ currency: 'usd', amountMinor: 4000 }], spent: 150, granted: 500 },
      { ...zeroMonth(2), bought: 1000, boughtFor: [{ currency: 'usd', amountMinor: 1000 }], granted: 100 },
    ]);
    expect(months.slice(3)).toEqual(Array.from({ length: 9 }, (_, i) => zeroMonth(i + 3)));
  });

  it('ranks wallets by credits spent within the window', async () => {
    const week = await getCreditsBooks({ spendWindowDays: 7 });
    expect(week.topSpenders.map((s) => [s.name, s.credits])).toEqual([
      ['b@example.com', 320],
      ['c@example.com', 5],
    ]);
    expect(week.topSpenders[0]).toMatchObject({ walletId: walletIdOf(users.b), userId: users.b, organizationId: null });
    const quarter = await getCreditsBooks({ spendWindowDays: 100 });
    expect(quarter.topSpenders.map((s) => [s.name, s.credits])).toEqual([
      ['b@example.com', 320],
      ['a@example.com', 150],
      ['c@example.com', 5],
    ]);
    expect((await getCreditsBooks({ spendWindowDays: 100, topSpenders: 1 })).topSpenders).toHaveLength(1);
  });

  it('once expiry has run, equals the ledger: outstanding is the sum of all deltas, and the months add up to it', async () => {
    await expireDueCredits(await getDb());
    await expectLedgerMatchesBalances();
    const books = await getCreditsBooks();
    const [sums] = await queryRows<{ purchased: string; bonus: string; held: string }>(
      await getDb(),
      sql`select sum(purchased_delta) as purchased, sum(bonus_delta) as bonus, sum(held_delta) as held from credit_transactions`,
    );

    expect(books.outstanding.purchased + books.outstanding.bonus).toBe(Number(sums!.purchased) + Number(sums!.bonus) + Number(sums!.held));
    expect(books.outstanding.held).toBe(Number(sums!.held));
    expect(books.outstanding.bonus).toBe(Number(sums!.bonus));
    expect(books.months[0]!.expired).toBe(70);
    const net = books.months.reduce((sum, m) => sum + m.bought + m.granted + m.corrected - m.spent - m.refunded - m.expired, 0);
    expect(net).toBe(books.outstanding.purchased + books.outstanding.bonus);
  });

  it.each([0, 1.5, 121])('refuses a window of %s months with a typed error', async (months) => {
    await expect(getCreditsBooks({ months })).rejects.toBeInstanceOf(InvalidCreditsInputError);
  });
});
