'use server';

import { redirect } from 'next/navigation';

import { requireUser } from '@/features/common/auth/session';
import { requestOrigins } from '@/features/common/payments/request-origin';
import { paySimulatedCheckout } from '@/features/common/payments/service/checkout-simulator';

/** The simulator's Pay button: delivers the signed event to this app's webhook, then returns the buyer. */
export async function paySimulatedCheckoutAction(sessionId: string): Promise<void> {
  const user = await requireUser();
  const [origin] = await requestOrigins();
  const successUrl = await paySimulatedCheckout(sessionId, user.id, new URL('/api/webhooks/stripe', origin).toString());
  redirect(successUrl as never);
}
