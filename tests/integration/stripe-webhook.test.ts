import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { getCreditsBalance, deductCreditsBonusFirst } from '@/features/common/payments/service/credits-balance.service';
import { onCreditsDisputed, onCreditsRefunded, onCreditsTopUp } from '@/features/common/payments/service/payment-callback.service';
import { runJobs } from '@/features/common/payments/service/jobs/jobs';
import { getDb, queryRows } from '@/shared/db/client';
import { creditDisputes, creditPurchases, jobs, paymentAdjustments } from '@/shared/db/schema';
import { listOutboxEmails } from '@/shared/email/outbox';
import { expectLedgerMatchesBalances, ledgerOf, lotsOf } from '../helpers/factories';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
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
  };
});
// Statements written out by hand are counted, and still run: which way a fulfilment went.
vi.mock('@/shared/db/client', async (importOriginal) => {
  const original = await importOriginal<typeof import('@/shared/db/client')>();
  return { ...original, queryRows: vi.fn(original.queryRows) };
});
vi.spyOn(console, 'info').mockImplementation(() => {});
vi.spyOn(console, 'warn').mockImplementation(() => {});
vi.spyOn(console, 'error').mockImplementation(() => {});

setupTestDatabase();

let stripe: Awaited<ReturnType<typeof startStripeServer>>;
beforeAll(async () => {
  stripe = await startStripeServer();
});
afterAll(() => stripe.close());

async function purchaseStatus(sessionId: string) {
  const db = await getDb();
  const [purchase] = await db.select().from(creditPurchases).where(eq(creditPurchases.stripeCheckoutSessionId, sessionId));
  return purchase!.status;
}

describe('checkout fulfilment', () => {
  it('credits a paid completion to the purchased bucket, from the purchase record', async () => {
    const p = await pendingPurchase();
    // Metadata an attacker could not sign anyway; fulfilment ignores it and credits what the purchase recorded.
    const response = await deliver(p.completed({ metadata: { credits: '999999' } }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ received: true, outcome: 'fulfilled' });
    expect(await getCreditsBalance(p.user.id)).toMatchObject({ creditsPurchased: 1000, creditsBonus: 0 });
    expect(await purchaseStatus(p.session.id)).toBe('paid');
    expect((await ledgerOf(p.user.id))[0]).toMatchObject({
      type: 'purchase',
      purchasedDelta: 1000,
      actorType: 'stripe',
      reason: 'Purchase: Starter Pack',
      stripeCheckoutSessionId: p.session.id,
    });
  });

  it('credits once when the same event is delivered 20 times at once', async () => {
    const p = await pendingPurchase();
    const event = p.completed();
    const responses = await Promise.all(Array.from({ length: 20 }, () => deliver(event)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
    expect(await ledgerOf(p.user.id)).toHaveLength(1);
    await expectLedgerMatchesBalances();
  });

  it('credits once across different events for the same session', async () => {
    const p = await pendingPurchase();
    const first = await deliver(p.completed());
    const second = await deliver(p.event('checkout.session.async_payment_succeeded.json', { payment_status: 'paid' }));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await second.json()).toMatchObject({ outcome: 'already_fulfilled' });
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
  });

  it('waits on an unpaid completion and credits when the delayed payment succeeds', async () => {
    const p = await pendingPurchase();
    const waiting = await deliver(p.event('checkout.session.completed.async-unpaid.json', { payment_status: 'unpaid' }));
    expect(await waiting.json()).toMatchObject({ outcome: 'awaiting_payment' });
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(0);

    await deliver(p.event('checkout.session.async_payment_succeeded.json', { payment_status: 'paid' }));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
  });

  it('does not credit a completion that required no payment', async () => {
    const p = await pendingPurchase();
    const response = await deliver(p.completed({ payment_status: 'no_payment_required', amount_total: 0 }));
    expect(await response.json()).toMatchObject({ outcome: 'awaiting_payment' });
    expect(await ledgerOf(p.user.id)).toEqual([]);
  });

  it('acknowledges a completed session this app did not create, writing nothing', async () => {
    const response = await deliver(fixtureEvent('checkout.session.completed.json'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: 'unknown_session' });
  });

  it('marks the purchase failed when the delayed payment fails, crediting nothing', async () => {
    const p = await pendingPurchase();
    await deliver(p.event('checkout.session.completed.async-unpaid.json', { payment_status: 'unpaid' }));
    await deliver(p.event('checkout.session.async_payment_failed.json', { payment_status: 'unpaid' }));
    expect(await purchaseStatus(p.session.id)).toBe('failed');
    expect(await ledgerOf(p.user.id)).toEqual([]);
  });

  it('marks an unpaid session expired, and never un-pays a paid one', async () => {
    const p = await pendingPurchase();
    await deliver(p.event('checkout.session.expired.json', { status: 'expired', payment_status: 'unpaid' }));
    expect(await purchaseStatus(p.session.id)).toBe('expired');

    const paid = await pendingPurchase();
    await deliver(paid.completed());
    await deliver(paid.event('checkout.session.expired.json', { status: 'expired' }));
    expect(await purchaseStatus(paid.session.id)).toBe('paid');
  });

  it('writes in one statement exactly what the general transaction writes: the purchase, its entry and lot, its tasks', async () => {
    const db = await getDb();
    const plain = await pendingPurchase();
    const general = await pendingPurchase();
    // A refund figure of zero recorded for the payment takes nothing back, but the one-statement path
    // leaves any recorded figure to the general transaction: the same fulfilment, both ways.
    await db.insert(paymentAdjustments).values({ paymentIntentId: general.paymentIntent });
    const charged = { amount_total: 900, total_details: { amount_discount: 100, amount_shipping: 0, amount_tax: 0 } };
    const plainEvent = plain.completed(charged);
    const generalEvent = general.completed(charged);
    vi.mocked(queryRows).mockClear();
    for (const event of [plainEvent, generalEvent]) expect(await (await deliver(event)).json()).toMatchObject({ outcome: 'fulfilled' });
    // The first went through the one statement; the second was sent there too and left to the transaction.
    const calls = vi
      .mocked(queryRows)
      .mock.calls.flatMap(([, query], i) =>
        'params' in query && query.sql.includes('credits_fulfil_checkout') ? [vi.mocked(queryRows).mock.results[i]!.value] : [],
      );
    expect(await Promise.all(calls)).toEqual([[{ r_outcome: 'fulfilled' }], [{ r_outcome: 'general' }]]);

    // Each purchase's ids, buyer and event become placeholders; everything else must be equal.
    const written = async (p: Awaited<ReturnType<typeof pendingPurchase>>, eventId: string) => {
      const [purchase] = await db.select().from(creditPurchases).where(eq(creditPurchases.stripeCheckoutSessionId, p.session.id));
      const entries = await ledgerOf(p.user.id);
      const lots = await lotsOf(p.user.id);
      const tasks = await db.select().from(jobs).where(eq(jobs.purchaseId, purchase!.id)).orderBy(jobs.kind);
      const row = {
        purchase: { ...purchase, id: null, userId: null, walletId: null, createdAt: null, updatedAt: null, successUrl: null, cancelUrl: null },
        fulfilled: purchase!.fulfilledAt instanceof Date,
        entries: entries.map((e) => ({ ...e, id: null, createdAt: null, lotId: e.lotId === lots[0]!.id })),
        // A year from each fulfilment (the Starter Pack's expiresAfterDays), to the millisecond of each.
        lots: lots.map((l) => ({ ...l, id: null, createdAt: null, expiresAt: Math.round((l.expiresAt!.getTime() - Date.now()) / 86_400_000) })),
        tasks: tasks.map((t) => ({ ...t, id: null, runAt: null, createdAt: null, lockedUntil: null, doneAt: t.doneAt instanceof Date })),
      };
      let text = JSON.stringify({ ...row, purchase: { ...row.purchase, fulfilledAt: null } });
      for (const [value, name] of [
        [purchase!.id, 'PURCHASE'],
        [p.session.id, 'SESSION'],
        [p.user.id, 'USER'],
        [p.user.email, 'EMAIL'],
        [eventId, 'EVENT'],
      ] as const) {
        text = text.replaceAll(String(value), name);
      }
      return JSON.parse(text);
    };
    const viaOneStatement = await written(plain, plainEvent.id as string);
    const viaTransaction = await written(general, generalEvent.id as string);
    expect(viaOneStatement).toEqual(viaTransaction);
    expect(viaOneStatement.purchase).toMatchObject({
      status: 'paid',
      amountPaidMinor: 900,
      amountDiscountMinor: 100,
      stripePaymentIntentId: 'pi_test_SESSION',
    });
    expect(viaOneStatement.entries).toHaveLength(1);
    expect(viaOneStatement.entries[0]).toMatchObject({ purchasedDelta: 1000, reason: 'Purchase: Starter Pack', actorType: 'stripe', stripeEventId: 'EVENT' });
    expect(viaOneStatement.tasks.map((t: { kind: string }) => t.kind)).toEqual(['top_up_callback', 'top_up_receipt']);
    expect(viaOneStatement.tasks[0].payload).toMatchObject({ creditsBalance: 1000, creditsAdded: 1000, amountMinor: 900, email: 'EMAIL' });
    await expectLedgerMatchesBalances();
  });

  it('credits_fulfil_checkout writes nothing and answers "general" when the purchase is not what was read', async () => {
    const db = await getDb();
    const p = await pendingPurchase();
    const [purchase] = await db.select().from(creditPurchases).where(eq(creditPurchases.stripeCheckoutSessionId, p.session.id));
    const call = (seen: { paymentIntent?: string | null; user?: string | null; wallet?: string; credits?: number }) =>
      db.execute(sql`select r_outcome from credits_fulfil_checkout(${purchase!.id}::uuid, ${`credits:payment:${p.paymentIntent}`},
        ${seen.paymentIntent ?? null}, ${seen.user === undefined ? purchase!.userId : seen.user}, ${p.paymentIntent}, ${1000}::bigint, ${'usd'},
        ${1000}::bigint, ${0}::bigint, ${0}::bigint, ${null}, ${null}, ${seen.wallet ?? purchase!.walletId}, ${seen.credits ?? 1000}::bigint,
        ${null}::timestamptz, ${'Purchase: Starter Pack'}, ${`system:checkout:${p.session.id}`}, ${'{}'}::jsonb, ${p.session.id}, ${'evt_x'}, ${'[]'}::jsonb)`);
    const outcome = async (seen: Parameters<typeof call>[0]) => {
      const result = (await call(seen)) as unknown as { r_outcome: string }[] | { rows: { r_outcome: string }[] };
      return (Array.isArray(result) ? result : result.rows)[0]!.r_outcome;
    };
    // The buyer deleted their account since the read, a payment intent learnt meanwhile, another wallet or amount.
    for (const seen of [{ user: null }, { user: 'someone-else' }, { paymentIntent: 'pi_other' }, { wallet: 'user:someone-else' }, { credits: 999 }]) {
      expect(await outcome(seen), JSON.stringify(seen)).toBe('general');
    }
    // A dispute recorded first, and a refund figure for the payment: both for the general transaction too.
    await db.insert(paymentAdjustments).values({ paymentIntentId: p.paymentIntent });
    expect(await outcome({})).toBe('general');
    await db.delete(paymentAdjustments).where(eq(paymentAdjustments.paymentIntentId, p.paymentIntent));
    await db
      .insert(creditDisputes)
      .values({ id: `dp_${p.session.id}`, purchaseId: purchase!.id, amountMinor: 1000, reason: 'fraudulent', status: 'needs_response' });
    expect(await outcome({})).toBe('general');
    await db.delete(creditDisputes).where(eq(creditDisputes.purchaseId, purchase!.id));
    // Nothing was written by any of them.
    const [after] = await db.select().from(creditPurchases).where(eq(creditPurchases.id, purchase!.id));
    expect(after).toMatchObject({ status: 'pending', stripePaymentIntentId: null, amountPaidMinor: null });
    expect(await ledgerOf(p.user.id)).toHaveLength(0);
    // And what was read, unchanged, is fulfilled.
    expect(await outcome({})).toBe('fulfilled');
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
  });

  it('leaves a purchase that changed after it was read to the general transaction, which decides once', async () => {
    // 20 deliveries read the purchase as pending at once; one statement fulfils it, the rest find it paid under the lock.
    const p = await pendingPurchase();
    const event = p.completed();
    const answers = await Promise.all(Array.from({ length: 20 }, async () => ((await (await deliver(event)).json()) as { outcome: string }).outcome));
    expect(answers.filter((a) => a === 'fulfilled')).toHaveLength(1);
    expect(answers.filter((a) => a === 'already_fulfilled')).toHaveLength(19);
    expect(await ledgerOf(p.user.id)).toHaveLength(1);
    const db = await getDb();
    const [purchase] = await db.select().from(creditPurchases).where(eq(creditPurchases.stripeCheckoutSessionId, p.session.id));
    expect(await db.select().from(jobs).where(eq(jobs.purchaseId, purchase!.id))).toHaveLength(2);
  });

  it('answers 500 when the database fails mid-handling, and credits once on Stripe’s retry', async () => {
    const p = await pendingPurchase();
    const db = await getDb();
    const event = p.completed();
    await db.execute(sql`alter table credit_transactions rename to credit_transactions_away`);
    try {
      expect((await deliver(event)).status).toBe(500);
    } finally {
      await db.execute(sql`alter table credit_transactions_away rename to credit_transactions`);
    }
    expect(await purchaseStatus(p.session.id)).toBe('pending');
    expect((await deliver(event)).status).toBe(200);
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
  });
});

describe('webhook signature', () => {
  it.each([
    ['a tampered body', { body: JSON.stringify({ tampered: true }) }],
    ['the wrong secret', { secret: 'whsec_wrong' }],
    ['a stale timestamp', { timestamp: Math.floor(Date.now() / 1000) - 3600 }],
  ])('refuses %s with 400 and writes nothing', async (_label, options) => {
    const p = await pendingPurchase();
    const response = await deliver(p.completed(), options);
    expect(response.status).toBe(400);
    expect(await ledgerOf(p.user.id)).toEqual([]);
    expect(await purchaseStatus(p.session.id)).toBe('pending');
  });

  it('refuses a request without a signature', async () => {
    const { POST } = await import('@/app/api/webhooks/stripe/route');
    const response = await POST(new Request('http://localhost/api/webhooks/stripe', { method: 'POST', body: '{}' }));
    expect(response.status).toBe(400);
  });

  it('acknowledges event types it does not handle with 2xx', async () => {
    const response = await deliver(fixtureEvent('refund.created.json'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: 'ignored' });
  });
});

describe('refunds and disputes', () => {
  it('take back all purchased credits on a full refund', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    await deliver(p.refunded(1000));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(0);
    expect((await ledgerOf(p.user.id)).at(-1)).toMatchObject({ type: 'refund', purchasedDelta: -1000, reason: 'Refund' });
  });

  it('take back from the refunded purchase’s own lot first, not from the lot that would be spent first', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    // Purchased credits that expire sooner than the pack's: spending would take these first.
    await addCreditsDirectly({
      userId: p.user.id,
      credits: 300,
      creditsType: 'purchased',
      reason: 'Earlier pack',
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    await deliver(p.refunded(250));
    const lots = await lotsOf(p.user.id);
    expect(lots.map((lot) => [lot.source, lot.creditsLeft]).sort()).toEqual([
      ['grant', 300],
      ['purchase', 750],
    ]);
    await expectLedgerMatchesBalances();
  });

  it('take only the difference on each partial refund, and nothing on a repeated one', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    await deliver(p.refunded(250));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(750);
    await deliver(p.refunded(600));
    await deliver(p.refunded(600));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(400);
    expect((await ledgerOf(p.user.id)).filter((e) => e.type === 'refund').map((e) => e.purchasedDelta)).toEqual([-250, -350]);
  });

  it('take what is left when credits were already spent, recording the shortfall, never below zero', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    await deductCreditsBonusFirst({ userId: p.user.id, credits: 800, reason: 'Work' });
    await deliver(p.refunded(1000));
    expect(await getCreditsBalance(p.user.id)).toMatchObject({ creditsPurchased: 0, creditsUsed: 800 });
    expect((await ledgerOf(p.user.id)).at(-1)).toMatchObject({ type: 'refund', purchasedDelta: -200, metadata: { creditsShortfall: 800 } });
    await expectLedgerMatchesBalances();
  });

  it('apply a refund that arrived before the payment’s fulfilment when the fulfilment comes', async () => {
    const p = await pendingPurchase();
    const early = await deliver(p.refunded(400));
    expect(await early.json()).toMatchObject({ outcome: 'recorded_before_fulfilment' });

    await deliver(p.completed());
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(600);
    expect((await ledgerOf(p.user.id)).map((e) => [e.type, e.purchasedDelta])).toEqual([
      ['purchase', 1000],
      ['refund', -400],
    ]);
    await deliver(p.refunded(400));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(600);
  });

  it('apply a refund racing the fulfilment exactly once, whichever commits first', async () => {
    const p = await pendingPurchase();
    await Promise.all([deliver(p.completed()), deliver(p.refunded(1000)), deliver(p.completed()), deliver(p.refunded(1000))]);
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(0);
    expect((await ledgerOf(p.user.id)).map((e) => e.type).sort()).toEqual(['purchase', 'refund']);
    await expectLedgerMatchesBalances();
  });

  it('take back the rest when a dispute over the unrefunded remainder is lost', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    await deliver(p.refunded(300));
    await deliver(
      fixtureEvent('charge.dispute.created.json', { id: `dp_rest_${p.session.id}`, payment_intent: `pi_test_${p.session.id}`, amount: 700, status: 'lost' }),
    );
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(0);
  });

  it('keep a closed dispute closed when an earlier event for it arrives late', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    await deliver(p.dispute('lost'));
    await deliver(p.dispute('warning_needs_response'));
    const db = await getDb();
    expect(
      await db
        .select({ status: creditDisputes.status })
        .from(creditDisputes)
        .where(eq(creditDisputes.id, `dp_${p.session.id}`)),
    ).toEqual([{ status: 'lost' }]);
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(0);
  });

  it('share a refund against what Stripe actually charged', async () => {
    const p = await pendingPurchase();
    // A promotion code took 80 off the configured 1000.
    await deliver(p.completed({ amount_total: 920, total_details: { amount_discount: 80, amount_shipping: 0, amount_tax: 0 } }));
    await deliver(p.refunded(460));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(500);
  });

  it('record a dispute and report it, leaving credits until it is lost; a lost dispute plus a refund take back once', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    await deliver(p.dispute('warning_needs_response'));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
    expect(onCreditsDisputed).toHaveBeenCalledWith(expect.objectContaining({ userId: p.user.id, disputeId: `dp_${p.session.id}`, amountMinor: 1000 }));

    await deliver(p.dispute('lost'));
    await deliver(p.refunded(1000));
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(0);
    expect((await ledgerOf(p.user.id)).filter((e) => e.type === 'refund')).toHaveLength(1);
    expect(onCreditsRefunded).toHaveBeenCalledWith(expect.objectContaining({ purchaseId: expect.any(String), cause: 'dispute_lost', creditsReversed: 1000 }));
  });
});

describe('after a purchase', () => {
  it('calls onCreditsTopUp and sends the receipt once, also when the webhook is delivered twice', async () => {
    const p = await pendingPurchase();
    vi.mocked(onCreditsTopUp).mockClear();
    await deliver(p.completed());
    await deliver(p.completed());

    expect(onCreditsTopUp).toHaveBeenCalledTimes(1);
    expect(onCreditsTopUp).toHaveBeenCalledWith(
      expect.objectContaining({ userId: p.user.id, email: p.user.email, creditsAdded: 1000, amountText: '$10.00', packageId: 'starter', creditsBalance: 1000 }),
    );
    const receipts = await listOutboxEmails({ to: p.user.email! });
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.subject).toBe('Receipt: 1,000 credits added');
    expect(receipts[0]!.text).toMatch(/Amount paid\s+\$10\.00/);
    expect(receipts[0]!.text).toContain('/dashboard/billings/credits');
  });

  it('retries a refund callback that failed when a later event for the purchase arrives', async () => {
    const p = await pendingPurchase();
    await deliver(p.completed());
    vi.mocked(onCreditsRefunded).mockClear().mockRejectedValueOnce(new Error('CRM is down'));
    expect((await deliver(p.refunded(1000))).status).toBe(200);
    expect(onCreditsRefunded).toHaveBeenCalledTimes(1);

    await deliver(p.refunded(1000));
    expect(onCreditsRefunded).toHaveBeenCalledTimes(2);
    await deliver(p.refunded(1000));
    expect(onCreditsRefunded).toHaveBeenCalledTimes(2);
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(0);
  });

  it('keeps the credit when the receipt cannot be sent, and sends it once on retry', async () => {
    const p = await pendingPurchase();
    const db = await getDb();
    await db.execute(sql`alter table email_outbox rename to email_outbox_away`);
    try {
      expect((await deliver(p.completed())).status).toBe(200);
    } finally {
      await db.execute(sql`alter table email_outbox_away rename to email_outbox`);
    }
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
    const [task] = await db
      .select()
      .from(jobs)
      .where(eq(jobs.kind, 'top_up_receipt'))
      .orderBy(sql`${jobs.createdAt} desc`)
      .limit(1);
    expect(task).toMatchObject({ doneAt: null, attempts: 1, lastError: expect.stringContaining('email_outbox') });

    await runJobs();
    await deliver(p.completed());
    expect(await listOutboxEmails({ to: p.user.email! })).toHaveLength(1);
    expect((await getCreditsBalance(p.user.id)).creditsPurchased).toBe(1000);
  });
});
