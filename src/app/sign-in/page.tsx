import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';

import { appConfig } from '@/config/app';
import { signInWithProvider } from '@/features/common/auth/actions/sign-in.action';
import { oauthProviders } from '@/features/common/auth/auth';
import { EmailSignInForm } from '@/features/common/auth/components/email-sign-in-form';
import { getSessionUser } from '@/features/common/auth/session';
import { Button } from '@/shared/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import { safeRedirectPath } from '@/shared/lib/safe-redirect';

export const metadata: Metadata = { title: 'Sign in' };

const errorMessages: Record<string, string> = {
  Verification: 'That sign-in link has expired or was already used. Ask for a new one.',
  AccessDenied: 'You do not have access to this app.',
  EmailNotVerified: 'That account has no verified email address. Verify one with the provider, or sign in with an email link.',
  OAuthAccountNotLinked: 'That email address already has an account. Sign in with an email link, then link the provider.',
};

export default async function SignInPage({ searchParams }: PageProps<'/sign-in'>) {
  const params = await searchParams;
  const callbackUrl = safeRedirectPath(params.callbackUrl, '/dashboard');
  if (await getSessionUser()) redirect(callbackUrl);
  const error = typeof params.error === 'string' ? (errorMessages[params.error] ?? 'Something went wrong signing you in. Try again.') : null;

  return (
    <main className="flex min-h-dvh items-center justify-center px-4">
      <Card className="w-full max-w-sm">
        <CardHeader>
          <CardTitle asChild className="text-xl">
            <h1>Sign in to {appConfig.name}</h1>
          </CardTitle>
          <CardDescription>We’ll email you a link; no password needed.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          {error ? (
            <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive">
              {error}
            </p>
          ) : null}
          <EmailSignInForm callbackUrl={callbackUrl} />
          {oauthProviders.length > 0 ? (
            <form action={signInWithProvider} className="flex flex-col gap-2 border-t border-border pt-4">
              <input type="hidden" name="callbackUrl" value={callbackUrl} />
              {oauthProviders.map((provider) => (
                <Button key={provider.id} type="submit" name="provider" value={provider.id} variant="outline">
                  Continue with {provider.name}
                </Button>
              ))}
            </form>
          ) : null}
          <Link href="/" className="text-center text-sm text-muted-foreground hover:underline">
            Back to home
          </Link>
        </CardContent>
      </Card>
    </main>
  );
}
