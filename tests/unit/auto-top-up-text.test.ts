import { describe, expect, it } from 'vitest';

import { autoTopUpStatusText, lastFailureText } from '@/features/common/payments/auto-top-up-text';
import { cardBrandName, describeCard } from '@/features/common/payments/saved-card';
import type { AutoTopUpSettings } from '@/features/common/payments/service/auto-top-up/auto-top-up.service';

const card = { brand: 'visa', last4: '4242', expMonth: 3, expYear: 2034 };

function settings(overrides: Partial<AutoTopUpSettings> = {}): AutoTopUpSettings {
  return {
    offered: true,
    enabled: true,
    paused: null,
    thresholdCredits: 1500,
    packageId: 'starter',
    credits: 1000,
    amountMinor: 1000,
    currency: 'usd',
    amountText: '$10.00',
    maxPerMonth: 3,
    usedThisMonth: 1,
    card,
    lastFailure: null,
    choices: [{ packageId: 'starter', name: 'Starter Pack', credits: 1000, amountMinor: 1000, currency: 'usd', amountText: '$10.00' }],
    maxPerMonthLimit: 10,
    ...overrides,
  };
}

describe('saved card', () => {
  it('reads as brand, last four digits and a two-digit month', () => {
    expect(describeCard(card)).toBe('Visa •••• 4242, expires 03/2034');
    expect(describeCard({ ...card, expMonth: null })).toBe('Visa •••• 4242');
  });

  it('names the brands Stripe reports, and capitalises one it does not know', () => {
    expect(cardBrandName('amex')).toBe('American Express');
    expect(cardBrandName('mastercard')).toBe('Mastercard');
    expect(cardBrandName('newbrand')).toBe('Newbrand');
    expect(cardBrandName('')).toBe('Card');
  });
});

describe('autoTopUpStatusText', () => {
  it('says what it buys, with which card, and how many of the month’s top-ups are used', () => {
    expect(autoTopUpStatusText(settings(), 2)).toBe(
      'On: when the balance falls below 1,500 credits, auto top-up buys Starter Pack (1,000 credits) for $10.00 to Visa •••• 4242, at most 3 times a month. This month: 1 of 3 used.',
    );
    expect(autoTopUpStatusText(settings({ maxPerMonth: 1, usedThisMonth: 0 }), 2)).toContain('at most 1 time a month. This month: 0 of 1 used.');
  });

  it('says why it paused and what to do', () => {
    const failure = { code: 'card_declined', message: 'Your card was declined.', at: '2026-11-29T10:00:00.000Z' };
    expect(autoTopUpStatusText(settings({ paused: { at: failure.at, reason: 'payment_failed' }, lastFailure: failure }), 2)).toBe(
      'Paused: the last two automatic charges failed (Your card was declined.). Update the card or turn it on again.',
    );
    expect(autoTopUpStatusText(settings({ paused: { at: failure.at, reason: 'payment_failed' } }), 1)).toBe(
      'Paused: the last automatic charge failed. Update the card or turn it on again.',
    );
    expect(autoTopUpStatusText(settings({ enabled: false, card: null, paused: { at: failure.at, reason: 'card_removed' } }), 2)).toMatch(
      /^Paused: the saved card/,
    );
    expect(autoTopUpStatusText(settings({ paused: { at: failure.at, reason: 'price_changed' } }), 2)).toMatch(/^Paused: the pack’s price changed/);
  });

  it('is off when not enabled', () => {
    expect(autoTopUpStatusText(settings({ enabled: false }), 2)).toBe('Off: no automatic charges.');
  });
});

describe('lastFailureText', () => {
  const failure = { code: 'card_declined', message: 'Your card was declined', at: '2026-11-29T10:00:00.000Z' };

  it('tells an auto top-up that is still on when it failed and when it tries again', () => {
    expect(lastFailureText(settings({ lastFailure: failure }))).toBe(
      'The last automatic charge failed on 2026-11-29: Your card was declined. Auto top-up tries again the next time the balance falls below 1,500 credits.',
    );
  });

  it('says nothing when there was no failure, or when the status already says it paused', () => {
    expect(lastFailureText(settings())).toBeNull();
    expect(lastFailureText(settings({ lastFailure: failure, paused: { at: failure.at, reason: 'payment_failed' } }))).toBeNull();
  });
});
