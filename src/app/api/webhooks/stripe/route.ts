import { handleStripeWebhook } from '@/features/common/payments/service/stripe-webhook';
import { afterResponse } from '@/shared/lib/after-response';

export async function POST(request: Request) {
  // Stripe waits for the answer: the receipt and callbacks run after it (they are queued jobs, retried by the runner).
  return handleStripeWebhook(request, { afterCommit: afterResponse });
}
