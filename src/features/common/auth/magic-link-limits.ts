import 'server-only';

import { appConfig } from '@/config/app';
import { consumeRateLimit, type RateLimitVerdict } from '@/shared/lib/rate-limit';

/**
 * Counts a request for a sign-in link against both limits: per address it is sent to (no email
 * bombing) and per IP address it comes from (no burning the email quota on many addresses). Called
 * on both ways a link can be requested: the sign-in form's action and Auth.js's own endpoint.
 */
export async function limitMagicLinkRequest(email: string, clientAddress: string): Promise<RateLimitVerdict> {
  const { magicLinkPerEmail, magicLinkPerIp } = appConfig.rateLimits;
  const byAddress = await consumeRateLimit('magic-link-per-ip', clientAddress, magicLinkPerIp);
  if (!byAddress.allowed) return byAddress;
  return consumeRateLimit('magic-link-per-email', email.trim().toLowerCase(), magicLinkPerEmail);
}

/** What the sign-in form says when the limit is reached. */
export function magicLinkLimitMessage(retryAfterSeconds: number): string {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return `Too many sign-in links were requested. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
