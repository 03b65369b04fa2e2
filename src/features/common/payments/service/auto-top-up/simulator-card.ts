import { randomBytes } from 'node:crypto';

import { eq } from 'drizzle-orm';
import { z } from 'zod';

import { authoriseAutoTopUp, getAutoTopUp, type AutoTopUpSettings } from '@/features/common/payments/service/auto-top-up/auto-top-up.service';
import { simulatedPaymentMethodId, TEST_CARDS, testCardOf } from '@/features/common/payments/service/auto-top-up/test-cards';
import { deliverSimulatedEvent, SimulatedPaymentError } from '@/features/common/payments/service/checkout-simulator';
import { parseCreditsInput, walletOwnerSchema } from '@/features/common/payments/service/credits-input.schema';
import { walletOf } from '@/features/common/payments/service/ledger/ledger';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { ensureWalletCustomer } from '@/features/common/payments/service/stripe-customer';
import { getDb } from '@/shared/db/client';
import { autoTopUps } from '@/shared/db/schema';

/*
 * The simulator's stand-in for Checkout in setup mode and the customer portal: save one of the test
 * cards for a wallet, or remove the saved one. Each plays Stripe's part by sending the event Stripe
 * would (`setup_intent.succeeded`, `payment_method.detached`), signed, through the webhook handler.
 */

const saveSchema = walletOwnerSchema.extend({
  card: z.enum(TEST_CARDS.map((card) => card.key) as [string, ...string[]], { message: 'must be one of the test cards' }),
});

async function managedWallet(input: { userId: string; organizationId?: string }) {
  if (getPaymentsGateway().kind !== 'simulator') throw new SimulatedPaymentError('The payments simulator is off');
  const wallet = walletOf(input);
  const db = await getDb();
  await authoriseAutoTopUp(db, wallet, true);
  return { wallet, db };
}

/** Saves a test card for the wallet, as Checkout in setup mode would; returns the wallet's auto top-up. */
export async function saveSimulatedCard(input: { userId: string; organizationId?: string; card: string }): Promise<AutoTopUpSettings> {
  const { userId, organizationId, card: key } = parseCreditsInput(saveSchema, input);
  const { wallet, db } = await managedWallet({ userId, organizationId });
  const card = TEST_CARDS.find((candidate) => candidate.key === key)!;
  const customer = await ensureWalletCustomer(db, wallet.walletId);
  await deliverSimulatedEvent('setup_intent.succeeded', {
    id: `seti_sim_${randomBytes(12).toString('hex')}`,
    object: 'setup_intent',
    status: 'succeeded',
    customer,
    payment_method: simulatedPaymentMethodId(card),
    usage: 'off_session',
    metadata: { walletId: wallet.walletId, purpose: 'auto_top_up' },
  });
  return getAutoTopUp({ userId, organizationId });
}

/** Removes the wallet's saved card, as the customer portal would; returns the wallet's auto top-up. */
export async function removeSimulatedCard(input: { userId: string; organizationId?: string }): Promise<AutoTopUpSettings> {
  const { userId, organizationId } = parseCreditsInput(walletOwnerSchema, input);
  const { wallet, db } = await managedWallet({ userId, organizationId });
  const [row] = await db.select({ paymentMethodId: autoTopUps.paymentMethodId }).from(autoTopUps).where(eq(autoTopUps.walletId, wallet.walletId));
  const card = testCardOf(row?.paymentMethodId);
  if (row?.paymentMethodId) {
    await deliverSimulatedEvent('payment_method.detached', {
      id: row.paymentMethodId,
      object: 'payment_method',
      type: 'card',
      customer: null,
      card: card ? { brand: card.brand, last4: card.last4, exp_month: card.expMonth, exp_year: card.expYear } : null,
    });
  }
  return getAutoTopUp({ userId, organizationId });
}
