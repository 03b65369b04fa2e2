import type { Metadata } from 'next';
import Link from 'next/link';

import { appConfig } from '@/config/app';
import { signOutAction } from '@/features/common/auth/actions/sign-in.action';
import { getSessionUser } from '@/features/common/auth/session';
import { AcceptInviteButton } from '@/features/common/payments/components/accept-invite-button';
import { InviteUnusableError, previewInvite } from '@/features/common/payments/service/organizations/invites';
import { Button } from '@/shared/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';

export const metadata: Metadata = { title: 'Invitation', referrer: 'no-referrer' };

/**
 * Where an invitation email leads: what it is for, then sign in (as the invited address) and accept.
 * An unknown, expired, used or withdrawn link says so instead.
 */
export default async function InvitePage({ params }: PageProps<'/invites/[token]'>) {
  const { token } = await params;
  const [invite, user] = await Promise.all([previewInvite(token), getSessionUser()]);
  const path = `/invites/${encodeURIComponent(token)}`;
  const problem = !invite ? new InviteUnusableError('not_found').message : invite.problem ? new InviteUnusableError(invite.problem).message : null;
  const wrongUser = invite && user && user.email?.toLowerCase() !== invite.email;

  return (
    <main className="flex min-h-dvh items-center justify-center px-4">
      <Card className="w-full max-w-md">
        <CardHeader>
          <CardTitle asChild className="text-xl">
            <h1>{invite && !problem ? `Join ${invite.organizationName}` : 'Invitation'}</h1>
          </CardTitle>
          {invite && !problem ? (
            <CardDescription>
              You are invited to {invite.organizationName} on {appConfig.name} as {invite.role === 'admin' ? 'an' : 'a'} {invite.role}. Members spend credits
              from the organization’s shared wallet.
            </CardDescription>
          ) : null}
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          {problem ? (
            <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive">
              {problem}
            </p>
          ) : !user ? (
            <>
              <p className="text-sm text-muted-foreground">Sign in as {invite!.email} to accept. You come back here afterwards.</p>
              <Button asChild>
                <Link href={`/sign-in?callbackUrl=${encodeURIComponent(path)}`}>Sign in to accept</Link>
              </Button>
            </>
          ) : wrongUser ? (
            <>
              <p role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive">
                This invitation is for {invite!.email}, but you are signed in as {user.email}. Sign out, then sign in with the address it was sent to.
              </p>
              <form action={signOutAction}>
                <Button type="submit" variant="outline">
                  Sign out
                </Button>
              </form>
            </>
          ) : (
            <AcceptInviteButton token={token} organizationName={invite!.organizationName} />
          )}
          <Link href={user ? '/dashboard' : '/'} className="text-center text-sm text-muted-foreground hover:underline">
            {user ? 'Back to the dashboard' : 'Back to home'}
          </Link>
        </CardContent>
      </Card>
    </main>
  );
}
