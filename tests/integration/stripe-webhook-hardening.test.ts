import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { POST } from '@/app/api/webhooks/stripe/route';
import { deductCreditsBonusFirst, getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { PurchaseNotUnderReviewError } from '@/features/common/payments/service/credits-errors';
import { creditPurchaseUnderReview, listPurchasesNeedingReview } from '@/features/common/payments/service/fulfilment';
import { onCreditsDisputed, onCreditsPurchaseNeedsReview } from '@/features/common/payments/service/payment-callback.service';
import { MAX_WEBHOOK_BODY_BYTES } from '@/features/common/payments/service/stripe-webhook';
import { getDb } from '@/shared/db/client';
import { creditDisputes, creditPurchases, paymentAdjustments } from '@/shared/db/schema';
import { createUser, expectLedgerMatchesBalances, ledgerOf } from '../helpers/factories';
import { deliver, fixtureEvent, pendingPurchase } from '../helpers/stripe-events';
import { startStripeServer } from '../helpers/stripe-server';
import { setupTestDatabase } from '../helpers/test-database';

// The integrator's hooks are counted, and still run.
vi.mock('@/features/common/payments/service/payment-callback.service', async (importOriginal) => {
  const original = await importOriginal<typeof import('@/features/common/payments/service/payment-callback.service')>();
  return {
    onCreditsTopUp: vi.fn(original.onCreditsTopUp),
    onCreditsRefunded: vi.fn(original.onCreditsRefunded),
    onCreditsDisputed: vi.fn(original.onCreditsDisputed),
    onCreditsPurchaseNeedsReview: vi.fn(original.onCreditsPurchaseNeedsReview),
  };
});
vi.spyOn(console, 'info').mockImplementation(() => {});
const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
vi.spyOn(console, 'error').mockImplementation(() => {});

setupTestDatabase();

let stripe: Awaited<ReturnType<typeof startStripeServer>>;
beforeAll(async () => {
  stripe = await startStripeServer();
});
afterAll(() => stripe.close());
beforeEach(() => vi.clearAllMocks());

async function purchaseOf(sessionId: string) {
  const db = await getDb();
  const [purchase] = await db.select().from(creditPurchases).where(eq(creditPurchases.stripeCheckoutSessionId, sessionId));
  return purchase!;
}

/** Rows in every table a webhook writes to, to show that a refused event wrote nothing. */
async function rowCounts() {
  const db = await getDb();
  const result = await db.execute(sql`select
    (select count(*) from credit_transactions) as entries, (select count(*) from credit_balances) as balances,
    (select count(*) from payment_adjustments) as adjustments, (select count(*) from refund_failures) as failures,
    (select count(*) from credit_disputes) as disputes, (select count(*) from jobs) as tasks,
    (select count(*) from email_outbox) as emails,
    (select count(*) from credit_purchases where status <> 'pending') as settled`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];
  return Object.fromEntries(Object.entries(rows[0]!).map(([key, value]) => [key, Number(value)]));
}

/** A request body that counts how many bytes the server pulled from it; `endless` never ends. */
function countingBody(options: { endless?: boolean; bytes?: number } = {}) {
  const chunk = new Uint8Array(64 * 1024).fill(0x7b);
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!options.endless && pulled >= (options.bytes ?? 0)) return controller.close();
      pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

function post(body: ReadableStream<Uint8Array>, headers: Record<string, string>) {
  return POST(new Request('http://localhost:3000/api/webhooks/stripe', { method: 'POST', headers, body, duplex: 'half' } as RequestInit));
}

describe('the webhook reads what it must, no more (item 5)', () => {
  it('refuses a request without a signature before reading its body', async () => {
    const body = countingBody({ endless: true });
    const response = await post(body.stream, { 'content-type': 'application/json' });
    expect(response.status).toBe(400);
    expect(body.pulled()).toBeLessThanOrEqual(64 * 1024);
  });

  it('refuses a declared body over 1 MiB with 413 without reading it', async () => {
    const body = countingBody({ bytes: 2 * MAX_WEBHOOK_BODY_BYTES });
    const response = await post(body.stream, { 'stripe-signature': 't=1,v1=x', 'content-length': String(2 * MAX_WEBHOOK_BODY_BYTES) });
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(64 * 1024);
  });

  it('stops reading an undeclared endless body at 1 MiB and answers 413', async () => {
    const body = countingBody({ endless: true });
    const response = await post(body.stream, { 'stripe-signature': 't=1,v1=x' });
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(MAX_WEBHOOK_BODY_BYTES + 2 * 64 * 1024);
  });
});

describe('malformed signed events (item 15)', () => {
  it.each([
    ['without data.object', (e: Record<string, unknown>) => ({ ...e, data: {} })],
    ['with data.object null', (e: Record<string, unknown>) => ({ ...e, data: { object: null } })],
    ['with data.object an array', (e: Record<string, unknown>) => ({ ...e, data: { object: [{ id: 'cs_test_1' }] } })],
    ['with data.object a string', (e: Record<string, unknown>) => ({ ...e, data: { object: 'cs_test_1' } })],
    ['with data.object a number', (e: Record<string, unknown>) => ({ ...e, data: { object: 42 } })],
    ['without a created time', (e: Record<string, unknown>) => ({ ...e, created: 'yesterday' })],
    ['with amount_total as a string', (e: Record<string, unknown>) => withObject(e, { amount_total: '1000' })],
    ['with a negative amount_total', (e: Record<string, unknown>) => withObject(e, { amount_total: -1 })],
    ['with a session id holding a NUL', (e: Record<string, unknown>) => withObject(e, { id: 'cs_\u0000' })],
    ['with a payment intent that is a number', (e: Record<string, unknown>) => withObject(e, { payment_intent: 42 })],
    ['with an upper-case currency', (e: Record<string, unknown>) => withObject(e, { currency: 'USD' })],
    ['with discounts that are not numbers', (e: Record<string, unknown>) => withObject(e, { total_details: { amount_discount: 'lots' } })],
  ])('answers 400 to a completed session %s, writes nothing and logs it', async (_label, malform) => {
    const p = await pendingPurchase();
    const before = await rowCounts();
    const response = await deliver(malform(p.completed()));
    expect(response.status).toBe(400);
    expect(await rowCounts()).toEqual(before);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Malformed Stripe event .*answered 400, nothing written/));
  });

  it.each([
    ['a refund without amount_refunded', 'charge.refunded.json', { amount_refunded: undefined }],
    ['a refund of a fractional amount', 'charge.refunded.json', { amount_refunded: 10.5 }],
    ['a dispute without a status', 'charge.dispute.created.json', { status: undefined }],
    ['a dispute of an object amount', 'charge.dispute.created.json', { amount: { value: 1 } }],
  ])('answers 400 to %s, writing nothing', async (_label, file, fields) => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    const before = await rowCounts();
    const response = await deliver(fixtureEvent(file, { payment_intent: p.paymentIntent, ...fields }));
    expect(response.status).toBe(400);
    expect(await rowCounts()).toEqual(before);
  });
});

function withObject(event: Record<string, unknown>, fields: Record<string, unknown>) {
  const data = event.data as { object: Record<string, unknown> };
  return { ...event, data: { object: { ...data.object, ...fields } } };
}

describe('a charge that does not pay for the purchase (item 6)', () => {
  it('is held for review: nothing credited, the purchase visible to admins, the callback called once', async () => {
    const p = await pendingPurchase();
    // The package's Stripe price (wrong priceId in config) charged 920 instead of 1000.
    const response = await deliver(p.completed({ amount_total: 920 }));
    expect(await response.json()).toMatchObject({ outcome: 'held_for_review' });
    await deliver(p.completed({ amount_total: 920 }));

    expect(await ledgerOf(p.user.id)).toEqual([]);
    expect(await purchaseOf(p.session.id)).toMatchObject({
      status: 'needs_review',
      amountPaidMinor: 920,
      currencyPaid: 'usd',
      reviewReason: 'Stripe charged $9.20; the price is $10.00',
    });
    expect(onCreditsPurchaseNeedsReview).toHaveBeenCalledTimes(1);
    expect(onCreditsPurchaseNeedsReview).toHaveBeenCalledWith(expect.objectContaining({ userId: p.user.id, credits: 1000, amountMinor: 1000, amountPaidMinor: 920 }));
    expect((await listPurchasesNeedingReview()).map((row) => row.purchase.stripeCheckoutSessionId)).toContain(p.session.id);
  });

  it('is held for review when charged in another currency', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed({ currency: 'eur' }));
    expect(await purchaseOf(p.session.id)).toMatchObject({ status: 'needs_review', reviewReason: 'Stripe charged in EUR; the purchase is priced in USD' });
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(0);
  });

  it('credits in full when the total is the price less the discount Stripe reports', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed({ amount_total: 750, total_details: { amount_discount: 250, amount_tax: 0 } }));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
  });

  it('credits in full when Stripe added tax on top of the price', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed({ amount_total: 1190, total_details: { amount_discount: 0, amount_tax: 190 } }));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
  });

  it('is credited once when an admin decides so, with the admin in the ledger', async () => {
    const admin = await createUser({ role: 'admin' });
    const p = await pendingPurchase();
    await deliver(p.completed({ amount_total: 920 }));
    const { id } = await purchaseOf(p.session.id);

    await creditPurchaseUnderReview(id, admin.id);
    await expect(creditPurchaseUnderReview(id, admin.id)).rejects.toBeInstanceOf(PurchaseNotUnderReviewError);
    await deliver(p.completed({ amount_total: 920 }));

    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
    expect(await ledgerOf(p.user.id)).toMatchObject([{ type: 'purchase', purchasedDelta: 1000, actorType: 'admin', actorId: admin.id }]);
    expect((await purchaseOf(p.session.id)).status).toBe('paid');
  });

  it('takes nothing back on a refund of a purchase held for review, which never credited', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed({ amount_total: 920 }));
    expect((await deliver(p.refunded(920))).status).toBe(200);
    expect(await ledgerOf(p.user.id)).toEqual([]);
    await expectLedgerMatchesBalances();
  });
});

describe('a dispute that arrives before the fulfilment (item 9)', () => {
  it('is recorded at once and reported to onCreditsDisputed after the credit, once', async () => {
    const p = await pendingPurchase();
    const early = await deliver(p.dispute('warning_needs_response'));
    expect(await early.json()).toMatchObject({ outcome: 'recorded_before_fulfilment' });
    const db = await getDb();
    expect(await db.select({ status: creditDisputes.status }).from(creditDisputes).where(eq(creditDisputes.id, `dp_${p.session.id}`))).toEqual([
      { status: 'warning_needs_response' },
    ]);
    expect(onCreditsDisputed).not.toHaveBeenCalled();

    await deliver(p.completed());
    await deliver(p.completed());
    expect(onCreditsDisputed).toHaveBeenCalledTimes(1);
    expect(onCreditsDisputed).toHaveBeenCalledWith(expect.objectContaining({ userId: p.user.id, disputeId: `dp_${p.session.id}`, amountMinor: 1000 }));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
  });

  it('takes the credits back at fulfilment when it was already lost', async () => {
    const p = await pendingPurchase();
    await deliver(p.dispute('lost'));
    await deliver(p.completed());
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(0);
    expect((await ledgerOf(p.user.id)).map((e) => [e.type, e.purchasedDelta])).toEqual([
      ['purchase', 1000],
      ['refund', -1000],
    ]);
    expect(onCreditsDisputed).toHaveBeenCalledTimes(1);
  });
});

describe('a refund that fails later (item 10)', () => {
  it('gives the credits back, once, when Stripe reports the refund failed', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    await deliver(p.refunded(1000));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(0);

    const failed = p.refundFailed('re_failed_1', 1000);
    expect(await (await deliver(failed)).json()).toMatchObject({ outcome: 'returned' });
    await deliver(failed);
    await deliver({ ...p.refundFailed('re_failed_1', 1000), type: 'refund.failed' });

    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
    expect((await ledgerOf(p.user.id)).map((e) => [e.type, e.purchasedDelta])).toEqual([
      ['purchase', 1000],
      ['refund', -1000],
      ['correction', 1000],
    ]);
    await expectLedgerMatchesBalances();
  });

  it('gives the credits back when a newer charge.refunded reports less refunded, and ignores an older figure arriving late', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    const older = p.refunded(600);
    const newer = p.refunded(0);
    await deliver(older);
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(400);

    await deliver(newer);
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
    await deliver(older);
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
  });

  it('gives back only what was taken when the user had spent some of it', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    await deductCreditsBonusFirst({ userId: p.user.id, credits: 800, reason: 'Work' });
    await deliver(p.refunded(1000));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(0);

    await deliver(p.refundFailed('re_failed_2', 1000));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(200);
    await expectLedgerMatchesBalances();
  });

  it('does not count a failure that Stripe’s newer refund figure already left out', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    await deliver(p.refunded(500));
    await deliver(p.refundFailed('re_failed_3', 500));
    // A new refund of 300 after the failed one: Stripe's figure is 300, not counting the failure.
    await deliver(p.refunded(300));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(700);
  });
});

describe('a paid completion with amount_total 0 (item 11)', () => {
  it('never fails its later refunds and disputes with a 500', async () => {
    const p = await pendingPurchase();
    // A 100% discount Stripe still reports as paid.
    await deliver(p.completed({ amount_total: 0, total_details: { amount_discount: 1000, amount_tax: 0 } }));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);

    expect((await deliver(p.refunded(0))).status).toBe(200);
    expect((await deliver(p.dispute('lost'))).status).toBe(200);
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
  });

  it('holds a zero total without a discount for review, and its refunds answer 200', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed({ amount_total: 0 }));
    expect((await purchaseOf(p.session.id)).status).toBe('needs_review');
    expect((await deliver(p.refunded(0))).status).toBe(200);
  });
});

describe('refunds and disputes of payments this app never sold (item 12)', () => {
  it('are acknowledged and not kept', async () => {
    const db = await getDb();
    const foreign = 'pi_3T0a5LIeADuLKrJV03FitWbm';
    for (const event of [
      fixtureEvent('charge.refunded.json', { payment_intent: foreign }),
      fixtureEvent('charge.dispute.created.json', { payment_intent: foreign, status: 'lost' }),
      { ...fixtureEvent('refund.created.json', { payment_intent: foreign, status: 'failed' }), type: 'charge.refund.updated' },
    ]) {
      const response = await deliver(event);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ outcome: 'unknown_payment' });
    }
    expect(await db.select().from(paymentAdjustments).where(eq(paymentAdjustments.paymentIntentId, foreign))).toEqual([]);
    expect(await db.select().from(creditDisputes).where(eq(creditDisputes.id, 'dp_1Sxxxxxxxxxxxxxxx'))).toEqual([]);
  });
});
