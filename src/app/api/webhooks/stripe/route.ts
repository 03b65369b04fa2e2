import { handleStripeWebhook } from '@/features/common/payments/service/stripe-webhook';

export async function POST(request: Request) {
  return handleStripeWebhook(request);
}
