import 'server-only';

import { notFound, redirect } from 'next/navigation';
import { cache } from 'react';
import type { Session } from 'next-auth';

import { auth } from '@/features/common/auth/auth';

export type SessionUser = Session['user'];

/** The signed-in user, or `null`. Looked up once per request however many components ask. */
export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  return session?.user?.id ? session.user : null;
});

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
