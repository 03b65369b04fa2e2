'use server';

import { headers } from 'next/headers';
import { z } from 'zod';

import { validatedActionWithUser } from '@/features/common/auth/validated-action';
import { localesOfAcceptLanguage } from '@/features/common/payments/pricing';
import { createCreditsCheckoutSession } from '@/features/common/payments/service/payment.service';

const returnUrls = {
  successUrl: z.string().min(1).max(2048),
  cancelUrl: z.string().min(1).max(2048),
  currency: z.string().max(10).optional(),
  /** Buy for this organisation's wallet (owners and admins only) instead of the buyer's own. */
  organizationId: z.uuid({ message: 'must be an organization id' }).nullable().optional(),
};
const startCheckoutSchema = z.union([z.object({ packageId: z.string().min(1).max(100), ...returnUrls }), z.object({ credits: z.number(), ...returnUrls })]);

/**
 * Starts checkout for the signed-in user: a package by id, or a manual number of credits, in the
 * `currency` the buyer chose (else the one they chose last, else one that suits their browser's
 * language). The return URLs must be on this site (relative, or absolute on APP_URL's origin; the
 * service checks them); the price is decided on the server. With `organizationId` the credits go to
 * that organisation's wallet, and only its owners and admins may buy (ORGANIZATION_ROLE_REQUIRED for
 * anyone else, nothing created). Returns the URL to send the browser to.
 */
export const startCreditsCheckout = validatedActionWithUser(startCheckoutSchema, async (input, user) => {
  const urls = { successUrl: input.successUrl, cancelUrl: input.cancelUrl };
  const buyer = {
    userId: user.id,
    ...(input.organizationId && { organizationId: input.organizationId }),
    ...(input.currency !== undefined && { currency: input.currency }),
  };
  const purchase = 'packageId' in input ? { ...buyer, packageId: input.packageId } : { ...buyer, credits: input.credits };
  // Only a default for the price: never a URL, never the amount.
  const locales = localesOfAcceptLanguage((await headers()).get('accept-language'));
  const session = await createCreditsCheckoutSession(purchase, urls, { locales });
  return { url: session.url };
});
