'use server';

import { z } from 'zod';

import { signIn, signOut } from '@/features/common/auth/auth';
import { safeRedirectPath } from '@/shared/lib/safe-redirect';

const signInSchema = z.object({
  email: z.email({ message: 'Enter a valid email address.' }).max(320).transform((email) => email.toLowerCase()),
  callbackUrl: z.string().optional(),
});

export type SignInState = { error?: string; email?: string };

/** Sends a magic link; on success Auth.js redirects to the "check your email" page. */
export async function signInWithEmail(_previous: SignInState, formData: FormData): Promise<SignInState> {
  const parsed = signInSchema.safeParse({
    email: formData.get('email'),
    callbackUrl: formData.get('callbackUrl') ?? undefined,
  });
  if (!parsed.success) {
    return { error: parsed.error.issues[0]?.message ?? 'Enter a valid email address.', email: String(formData.get('email') ?? '') };
  }
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
