import { afterEach, describe, expect, it, vi } from 'vitest';

import { onCreditsTopUp, type CreditsTopUpPayload } from '@/features/common/payments/service/payment-callback.service';

const payload: CreditsTopUpPayload = {
  userId: 'user-1',
  organizationId: null,
  email: 'buyer@example.com',
  name: 'Ada Buyer',
  creditsAdded: 100,
  amountText: '$10.00',
  amountMinor: 1000,
  currency: 'usd',
  packageId: 'starter',
  purchaseId: '00000000-0000-4000-8000-000000000001',
  checkoutSessionId: 'cs_test_1',
  creditsBalance: 100,
  invoiceUrl: 'https://invoice.stripe.com/i/acct_1/live_secret',
};

describe('the shipped callbacks', () => {
  afterEach(() => vi.restoreAllMocks());

  it("log a top-up without the buyer's email, name or invoice link, and with what finds the purchase", async () => {
    const lines: unknown[][] = [];
    vi.spyOn(console, 'info').mockImplementation((...args: unknown[]) => void lines.push(args));
    await onCreditsTopUp(payload);
    expect(lines).toHaveLength(1);
    const logged = JSON.stringify(lines[0]);
    expect(logged).not.toContain('buyer@example.com');
    expect(logged).not.toContain('Ada Buyer');
    expect(logged).not.toContain('invoice.stripe.com');
    expect(lines[0]![1]).toMatchObject({ purchaseId: payload.purchaseId, userId: 'user-1', creditsAdded: 100, amountText: '$10.00' });
  });
});
