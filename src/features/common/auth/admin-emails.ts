import 'server-only';

import { and, eq, lt, sql } from 'drizzle-orm';

import { env } from '@/config/env';
import { getDb } from '@/shared/db/client';
import { accounts, users, type UserRole } from '@/shared/db/schema';

/*
 * Who is an admin: an address in ADMIN_EMAILS, on an account whose owner proved the address with a
 * sign-in link before any OAuth account was linked to it. An OAuth provider can hand us an address
 * its user never proved (we refuse those, see `isVerifiedOAuthEmail`, but rows made before that
 * check may exist), and a row made that way must not become the real admin's when they first sign
 * in with a link: the OAuth account would let its maker in as admin too.
 */

export function isAdminEmail(email: string | null | undefined, adminEmails: readonly string[] = env.ADMIN_EMAILS): boolean {
  return Boolean(email) && adminEmails.includes(email!.toLowerCase());
}

/** The role a session carries: admin only while the address is still in ADMIN_EMAILS. */
export function sessionRole(user: { role?: UserRole | null; email?: string | null }, adminEmails: readonly string[] = env.ADMIN_EMAILS): UserRole {
  return user.role === 'admin' && isAdminEmail(user.email, adminEmails) ? 'admin' : 'user';
}

/**
 * Brings a user's stored role in line with ADMIN_EMAILS after a sign-in. A sign-in link
 * (`provedEmail`) first records when the address was proved. Then: an address no longer listed
 * loses admin; a listed one becomes admin only if it was proved and no OAuth account was linked to
 * the row before that proof. Returns the role stored afterwards.
 */
export async function applyAdminEmails(
  userId: string,
  options: { provedEmail: boolean; adminEmails?: readonly string[] },
): Promise<UserRole | null> {
  const adminEmails = options.adminEmails ?? env.ADMIN_EMAILS;
  const db = await getDb();
  if (options.provedEmail) {
    await db.update(users).set({ emailProvenAt: sql`coalesce(${users.emailProvenAt}, now())` }).where(eq(users.id, userId));
  }
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) return null;

  const listed = isAdminEmail(user.email, adminEmails);
  if (!listed) {
    if (user.role === 'admin') await db.update(users).set({ role: 'user' }).where(eq(users.id, userId));
    return 'user';
  }
  if (user.role === 'admin' || !user.emailProvenAt) return user.role;
  const [linkedBeforeProof] = await db
    .select({ provider: accounts.provider })
    .from(accounts)
    .where(and(eq(accounts.userId, userId), lt(accounts.createdAt, user.emailProvenAt)))
    .limit(1);
  if (linkedBeforeProof) {
    console.warn(
      `[auth] ${user.email} is in ADMIN_EMAILS but was not made admin: a ${linkedBeforeProof.provider} account was linked to it before the address was proved. ` +
        'Delete that row from "accounts" if it is yours, then sign in with the email link again.',
    );
    return user.role;
  }
  await db.update(users).set({ role: 'admin' }).where(eq(users.id, userId));
  return 'admin';
}

/**
 * Whether an OAuth profile's email address was verified by the provider: Google's `email_verified`
 * claim, and for GitHub the primary verified address that `githubUserinfo` puts on the profile.
 * Sign-ins without one are refused, so no row is made for an address nobody proved.
 */
export function isVerifiedOAuthEmail(profile: { email?: unknown; email_verified?: unknown } | null | undefined): boolean {
  return typeof profile?.email === 'string' && profile.email.length > 0 && profile.email_verified === true;
}

/** How long GitHub gets to answer each profile request during a sign-in. */
const GITHUB_TIMEOUT_MS = 10_000;

/**
 * GitHub's userinfo step, replacing Auth.js's default (which takes the primary address even when it
 * is unverified): the profile's `email` is the primary *verified* address, or null, and
 * `email_verified` says whether there was one.
 */
export function githubUserinfo(apiBaseUrl = 'https://api.github.com') {
  return {
    url: `${apiBaseUrl}/user`,
    async request({ tokens }: { tokens: { access_token?: string } }) {
      const get = async (path: string) => {
        const response = await fetch(`${apiBaseUrl}${path}`, {
          headers: { Authorization: `Bearer ${tokens.access_token}`, 'User-Agent': 'authjs', Accept: 'application/vnd.github+json' },
          signal: AbortSignal.timeout(GITHUB_TIMEOUT_MS),
        });
        if (!response.ok) throw new Error(`GitHub answered ${response.status} for ${path}`);
        return response.json() as Promise<unknown>;
      };
      const [profile, emails] = await Promise.all([get('/user'), get('/user/emails')]);
      const verified = Array.isArray(emails)
        ? (emails as { email?: unknown; primary?: unknown; verified?: unknown }[]).find((entry) => entry.primary === true && entry.verified === true)
        : undefined;
      const email = typeof verified?.email === 'string' ? verified.email : null;
      return { ...(profile as Record<string, unknown>), email, email_verified: email !== null };
    },
  };
}
