import { randomBytes } from 'node:crypto';

/*
 * The simulator's saved cards, after Stripe's own test cards: one whose off-session payments
 * succeed, one that is declined, one whose bank asks the cardholder to authenticate (3-D Secure) —
 * which a payment made while they are away cannot do. The outcome is part of the payment method's
 * id, so an automatic charge in simulator mode knows what the bank would say.
 */

export type TestCardOutcome = 'succeeds' | 'declined' | 'requires_action';

export interface TestCard {
  key: 'succeeds' | 'declined' | 'authentication';
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  outcome: TestCardOutcome;
  /** What the simulator's card page shows. */
  label: string;
}

export const TEST_CARDS: readonly TestCard[] = [
  { key: 'succeeds', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2034, outcome: 'succeeds', label: 'Payments succeed' },
  { key: 'declined', brand: 'visa', last4: '0002', expMonth: 12, expYear: 2034, outcome: 'declined', label: 'Payments are declined' },
  {
    key: 'authentication',
    brand: 'visa',
    last4: '3184',
    expMonth: 12,
    expYear: 2034,
    outcome: 'requires_action',
    label: 'The bank asks to authenticate every payment',
  },
];

const SIMULATED_PAYMENT_METHOD = /^pm_sim_(succeeds|declined|authentication)_[0-9a-f]{24}$/;

/** A new simulator payment method id for `card`. */
export function simulatedPaymentMethodId(card: TestCard): string {
  return `pm_sim_${card.key}_${randomBytes(12).toString('hex')}`;
}

/** The test card behind a simulator payment method id, or null when it is not one. */
export function testCardOf(paymentMethodId: string | null | undefined): TestCard | null {
  const match = typeof paymentMethodId === 'string' ? SIMULATED_PAYMENT_METHOD.exec(paymentMethodId) : null;
  return match ? (TEST_CARDS.find((card) => card.key === match[1]) ?? null) : null;
}
