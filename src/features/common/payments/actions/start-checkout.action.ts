'use server';

import { z } from 'zod';

import { env } from '@/config/env';
import { validatedActionWithUser } from '@/features/common/auth/validated-action';
import { resolveReturnUrl } from '@/features/common/payments/return-url';
import { createCreditsCheckoutSession } from '@/features/common/payments/service/payment.service';

const returnUrls = { successUrl: z.string().min(1).max(2048), cancelUrl: z.string().min(1).max(2048) };
const startCheckoutSchema = z.union([
  z.object({ packageId: z.string().min(1).max(100), ...returnUrls }),
  z.object({ credits: z.number(), ...returnUrls }),
]);

/**
 * Starts checkout for the signed-in user: a package by id, or a manual number of credits. The return
 * URLs must be on this site (relative, or absolute on APP_URL's origin); the price is decided on the server.
 * Returns the URL to send the browser to.
 */
export const startCreditsCheckout = validatedActionWithUser(startCheckoutSchema, async (input, user) => {
  // Only APP_URL's origin: request headers (Host, X-Forwarded-Host) can be forged by the caller.
  const origins = [new URL(env.APP_URL).origin];
  const urls = { successUrl: resolveReturnUrl(input.successUrl, origins), cancelUrl: resolveReturnUrl(input.cancelUrl, origins) };
  const purchase = 'packageId' in input ? { userId: user.id, packageId: input.packageId } : { userId: user.id, credits: input.credits };
  const session = await createCreditsCheckoutSession(purchase, urls);
  return { url: session.url };
});
