'use server';

import { headers } from 'next/headers';
import { z } from 'zod';

import { signIn, signOut } from '@/features/common/auth/auth';
import { limitMagicLinkRequest, magicLinkLimitMessage } from '@/features/common/auth/magic-link-limits';
import { clientAddress } from '@/shared/lib/rate-limit';
import { safeRedirectPath } from '@/shared/lib/safe-redirect';

const signInSchema = z.object({
  email: z.email({ message: 'Enter a valid email address.' }).max(320).transform((email) => email.toLowerCase()),
  callbackUrl: z.string().optional(),
});

export type SignInState = { error?: string; email?: string };

/**
 * Sends a magic link; on success Auth.js redirects to the "check your email" page. Past the sign-in
 * link limits (per address, per IP) it says when to try again and sends nothing.
 */
export async function signInWithEmail(_previous: SignInState, formData: FormData): Promise<SignInState> {
  const parsed = signInSchema.safeParse({
    email: formData.get('email'),
    callbackUrl: formData.get('callbackUrl') ?? undefined,
  });
  if (!parsed.success) {
    return { error: parsed.error.issues[0]?.message ?? 'Enter a valid email address.', email: String(formData.get('email') ?? '') };
  }
  const verdict = await limitMagicLinkRequest(parsed.data.email, clientAddress(await headers()));
  if (!verdict.allowed) return { error: magicLinkLimitMessage(verdict.retryAfterSeconds), email: parsed.data.email };
  await signIn('email', { email: parsed.data.email, redirectTo: safeRedirectPath(parsed.data.callbackUrl, '/dashboard') });
  return {};
}

/** Starts an OAuth sign-in with a configured provider. */
export async function signInWithProvider(formData: FormData): Promise<void> {
  const provider = z.enum(['github', 'google']).parse(formData.get('provider'));
  await signIn(provider, { redirectTo: safeRedirectPath(formData.get('callbackUrl'), '/dashboard') });
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: '/' });
}
