import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { retryDueJobs } from '@/features/common/payments/service/jobs/retry-due-jobs';
import { handleStripeWebhook } from '@/features/common/payments/service/stripe-webhook';
import { listOutboxEmails } from '@/shared/email/outbox';
import { afterResponse } from '@/shared/lib/after-response';
import { pendingPurchase } from '../helpers/stripe-events';
import { startStripeServer } from '../helpers/stripe-server';
import { setupTestDatabase } from '../helpers/test-database';

vi.spyOn(console, 'info').mockImplementation(() => {});

setupTestDatabase();

let stripe: Awaited<ReturnType<typeof startStripeServer>>;
beforeAll(async () => {
  stripe = await startStripeServer();
});
afterAll(() => stripe.close());

const signer = new Stripe('sk_test_fixtures');

/** Delivers `event` as the route does inside Next, with the work after the response kept in `later` (what `after()` runs). */
async function deliverDeferring(event: unknown) {
  const payload = JSON.stringify(event);
  const later: (() => Promise<unknown>)[] = [];
  const response = await handleStripeWebhook(
    new Request('http://localhost:3000/api/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload, secret: 'whsec_test_local' }) },
      body: payload,
    }),
    { afterCommit: (task) => void later.push(task) },
  );
  return { response, later };
}

describe('the webhook answering before the receipt', () => {
  it('answers once the credit is committed, and sends the receipt after the response', async () => {
    const p = await pendingPurchase();
    const { response, later } = await deliverDeferring(p.completed());

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: 'fulfilled' });
    expect(await getCreditsBalance(p.user.id)).toMatchObject({ creditsPurchased: 1000 });
    expect(await listOutboxEmails({ to: p.user.email! })).toHaveLength(0);

    for (const task of later) await task();
    expect(await listOutboxEmails({ to: p.user.email! })).toHaveLength(1);
  });

  it('leaves the receipt to the job runner when the process stops before the work after the response runs', async () => {
    const p = await pendingPurchase();
    const { response } = await deliverDeferring(p.completed());
    expect(response.status).toBe(200);

    await retryDueJobs();
    await retryDueJobs();
    const receipts = await listOutboxEmails({ to: p.user.email! });
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.subject).toBe('Receipt: 1,000 credits added');
  });

  it('runs the work at once, and waits for it, outside a request Next is serving', async () => {
    let ran = false;
    await afterResponse(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });
});
