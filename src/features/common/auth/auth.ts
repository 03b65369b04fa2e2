import 'server-only';

import { DrizzleAdapter } from '@auth/drizzle-adapter';
import NextAuth, { type DefaultSession } from 'next-auth';
import type { Provider } from 'next-auth/providers';
import GitHub from 'next-auth/providers/github';
import Google from 'next-auth/providers/google';

import { appConfig } from '@/config/app';
import { env } from '@/config/env';
import { applyAdminEmails, githubUserinfo, isVerifiedOAuthEmail, sessionRole } from '@/features/common/auth/admin-emails';
import { grantSignUpBonus } from '@/features/common/payments/service/sign-up-bonus';
import { getDb } from '@/shared/db/client';
import { accounts, sessions, users, verificationTokens, type UserRole } from '@/shared/db/schema';
import { sendEmail } from '@/shared/email/send-email';
import { MagicLinkEmail } from '@/shared/emails/magic-link';

declare module 'next-auth' {
  interface Session {
    user: { id: string; role: UserRole } & DefaultSession['user'];
  }
  interface User {
    role?: UserRole;
  }
}

const MAGIC_LINK_MAX_AGE_SECONDS = 24 * 60 * 60;

// Auth.js builds the URLs it sends — the magic link above all — from AUTH_URL when it is set, and
// otherwise from the request's Host and X-Forwarded-Host, which whoever sends the request controls
// (a forged header would mail a valid sign-in token on the attacker's host). Pin it to APP_URL.
process.env.AUTH_URL = `${new URL(env.APP_URL).origin}/api/auth`;

function providers(): Provider[] {
  const list: Provider[] = [
    {
      id: 'email',
      type: 'email',
      name: 'Email',
      from: env.EMAIL_FROM,
      maxAge: MAGIC_LINK_MAX_AGE_SECONDS,
      async sendVerificationRequest({ identifier, url }) {
        await sendEmail({
          to: identifier,
          subject: `Sign in to ${appConfig.name}`,
          react: MagicLinkEmail({ url, appName: appConfig.name, expiresInHours: MAGIC_LINK_MAX_AGE_SECONDS / 3600 }),
        });
      },
    },
  ];
  if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET) {
    list.push(GitHub({ clientId: env.AUTH_GITHUB_ID, clientSecret: env.AUTH_GITHUB_SECRET, userinfo: githubUserinfo() }));
  }
  if (env.AUTH_GOOGLE_ID && env.AUTH_GOOGLE_SECRET) {
    list.push(Google({ clientId: env.AUTH_GOOGLE_ID, clientSecret: env.AUTH_GOOGLE_SECRET }));
  }
  return list;
}

/** The OAuth providers that are configured, for the sign-in page's buttons. */
export const oauthProviders = providers()
  .filter((p) => typeof p === 'function' || p.type !== 'email')
  .map((p) => {
    const provider = typeof p === 'function' ? p() : p;
    return { id: provider.id, name: provider.name };
  });

export const { handlers, auth, signIn, signOut } = NextAuth(async () => {
  const db = await getDb();
  return {
    secret: env.AUTH_SECRET,
    trustHost: true,
    adapter: DrizzleAdapter(db, {
      usersTable: users,
      accountsTable: accounts,
      sessionsTable: sessions,
      verificationTokensTable: verificationTokens,
    }),
    session: { strategy: 'database' },
    providers: providers(),
    pages: { signIn: '/sign-in', verifyRequest: '/sign-in/check-email', error: '/sign-in' },
    callbacks: {
      // An OAuth address the provider did not verify could be anyone's: refuse it before a row is made.
      signIn({ account, profile }) {
        if (account?.type === 'oauth' || account?.type === 'oidc') return isVerifiedOAuthEmail(profile) ? true : '/sign-in?error=EmailNotVerified';
        return true;
      },
      async session({ session, user }) {
        session.user.id = user.id;
        // Removed from ADMIN_EMAILS: no longer admin from the next request on, and the row follows.
        session.user.role = sessionRole(user);
        if (user.role === 'admin' && session.user.role !== 'admin') await applyAdminEmails(user.id, { provedEmail: false });
        return session;
      },
    },
    events: {
      async createUser({ user }) {
        if (user.id) await grantSignUpBonus(user.id);
      },
      // ADMIN_EMAILS applies at every sign-in, so adding an address takes effect at the next one; only
      // the email link proves the address (see admin-emails.ts for why an OAuth link may not).
      async signIn({ user, account }) {
        if (user.id) await applyAdminEmails(user.id, { provedEmail: account?.type === 'email' });
      },
    },
  };
});
