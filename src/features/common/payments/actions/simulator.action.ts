'use server';

import { redirect } from 'next/navigation';

import { requireUser } from '@/features/common/auth/session';
import { paySimulatedCheckout } from '@/features/common/payments/service/checkout-simulator';

/** The simulator's Pay button: delivers the signed event to the webhook handler, then returns the buyer. */
export async function paySimulatedCheckoutAction(sessionId: string): Promise<void> {
  const user = await requireUser();
  const successUrl = await paySimulatedCheckout(sessionId, user.id);
  redirect(successUrl as never);
}
