import 'server-only';

import { cookies } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { cache } from 'react';
import type { Session } from 'next-auth';

import { sql } from 'drizzle-orm';

import { auth } from '@/features/common/auth/auth';
import { getDb, queryRows } from '@/shared/db/client';
import { DatabaseUnavailableError, toDatabaseUnavailable } from '@/shared/db/database-unavailable';

export type SessionUser = Session['user'];

/**
 * The signed-in user, or `null`. Looked up once per request however many components ask. Throws
 * `DatabaseUnavailableError` when a session cookie came but the database could not be asked about it
 * (Auth.js logs that failure and answers "no session": the caller would wrongly see a signed-out user).
 */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  if (session?.user?.id) return session.user;
  const jar = await cookies();
  if (!jar.has('authjs.session-token') && !jar.has('__Secure-authjs.session-token')) return null;
  await assertDatabaseReachable();
  // Reachable now: the first lookup may have failed while it was not. Ask once more.
  const again = await auth();
  return again?.user?.id ? again.user : null;
});

async function assertDatabaseReachable(): Promise<void> {
  try {
    await queryRows(await getDb(), sql`select 1`);
  } catch (error) {
    throw toDatabaseUnavailable(error) ?? new DatabaseUnavailableError({ cause: error });
  }
}

/** The signed-in user; anyone else is sent to sign in and brought back to `returnTo` afterwards. */
export async function requireUser(returnTo = '/dashboard'): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}

/** The signed-in admin. Anyone else gets a 404, so admin pages do not even admit they exist. */
export async function requireAdmin(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (user?.role !== 'admin') notFound();
  return user;
}
