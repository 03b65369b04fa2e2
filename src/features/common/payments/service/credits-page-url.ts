import { env } from '@/config/env';

/** The credits page on APP_URL (never a request's host), with an optional query or fragment: for emails and Stripe's return URLs. */
export function creditsPageUrl(suffix = ''): string {
  return new URL(`/dashboard/billings/credits${suffix}`, env.APP_URL).toString();
}
