'use server';

import { redirect } from 'next/navigation';

import { requireUser } from '@/features/common/auth/session';
import { paySimulatedCheckout, simulatedTotals } from '@/features/common/payments/service/checkout-simulator';
import { getSimulatedCheckout } from '@/features/common/payments/service/checkout-simulator';

/**
 * The simulator's Pay button: delivers the signed event to the webhook handler, then returns the
 * buyer. A promotion code the simulator does not accept sends the buyer back to the page, which says so.
 */
export async function paySimulatedCheckoutAction(sessionId: string, form: FormData): Promise<void> {
  const user = await requireUser();
  const field = form.get('promotionCode');
  const promotionCode = typeof field === 'string' ? field.slice(0, 100) : null;
  const checkout = await getSimulatedCheckout(sessionId, user.id);
  if (checkout && !simulatedTotals(checkout.purchase, promotionCode)) {
    redirect(`/checkout/simulator/${checkout.purchase.stripeCheckoutSessionId}?code=${encodeURIComponent(promotionCode ?? '')}` as never);
  }
  const successUrl = await paySimulatedCheckout(sessionId, user.id, { promotionCode });
  redirect(successUrl as never);
}
