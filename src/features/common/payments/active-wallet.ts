import 'server-only';

import { cookies } from 'next/headers';
import { cache } from 'react';

import { env } from '@/config/env';
import { listMyOrganizations, type OrganizationSummary } from '@/features/common/payments/service/organizations/organizations.service';

/*
 * Which wallet the signed-in user is spending from and looking at: their own, or one of their
 * organisations'. The choice lives in a cookie, but a cookie is only a wish: it is checked against
 * the user's memberships on every request, so a forged or stale one (an organisation they left, or
 * were never in) reads as the personal wallet.
 */

export const ACTIVE_WALLET_COOKIE = 'credits-wallet';
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

export interface ActiveWallet {
  /** The active organisation, or null for the personal wallet. */
  organization: OrganizationSummary | null;
  /** Every organisation the user belongs to, for the switcher. */
  organizations: OrganizationSummary[];
}

/** The user's active wallet, validated against their memberships. Read once per request. */
export const getActiveWallet = cache(async (userId: string): Promise<ActiveWallet> => {
  const [organizations, jar] = await Promise.all([listMyOrganizations(userId), cookies()]);
  const wanted = jar.get(ACTIVE_WALLET_COOKIE)?.value;
  return { organization: organizations.find((organization) => organization.id === wanted) ?? null, organizations };
});

/**
 * Just the active organisation's id (null: the personal wallet), for a route that spends: without the
 * wallet cookie, no query at all; with it, the same membership check as `getActiveWallet`.
 */
export async function activeOrganizationId(userId: string): Promise<string | null> {
  if (!(await cookies()).get(ACTIVE_WALLET_COOKIE)?.value) return null;
  return (await getActiveWallet(userId)).organization?.id ?? null;
}

/** Remembers `organizationId` (null: the personal wallet) as the active wallet. Callers check membership first. */
export async function rememberActiveWallet(organizationId: string | null): Promise<void> {
  const jar = await cookies();
  if (!organizationId) {
    jar.delete(ACTIVE_WALLET_COOKIE);
    return;
  }
  jar.set(ACTIVE_WALLET_COOKIE, organizationId, {
    httpOnly: true,
    sameSite: 'lax',
    secure: env.APP_URL.startsWith('https:'),
    path: '/',
    maxAge: ONE_YEAR_SECONDS,
  });
}

/** Goes back to the personal wallet if `organizationId` is the active one (after leaving it, say). */
export async function forgetActiveWallet(organizationId: string): Promise<void> {
  const jar = await cookies();
  if (jar.get(ACTIVE_WALLET_COOKIE)?.value === organizationId) jar.delete(ACTIVE_WALLET_COOKIE);
}
