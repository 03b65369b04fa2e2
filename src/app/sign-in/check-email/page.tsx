import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { MailCheck } from 'lucide-react';

import { getSessionUser } from '@/features/common/auth/session';
import { isOutboxVisible } from '@/shared/email/outbox';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';

export const metadata: Metadata = { title: 'Check your email' };

export default async function CheckEmailPage() {
  await connection(); // whether the outbox is shown is decided at run time, not at build
  const showOutbox = isOutboxVisible(await getSessionUser());
  return (
    <main className="flex min-h-dvh items-center justify-center px-4">
      <Card className="w-full max-w-sm text-center">
        <CardHeader className="items-center">
          <MailCheck className="mb-2 size-8 text-primary" aria-hidden />
          <CardTitle asChild className="text-xl">
            <h1>Check your email</h1>
          </CardTitle>
          <CardDescription>We sent you a sign-in link. It works once and expires in 24 hours.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-2 text-sm">
          {showOutbox ? (
            <p>
              No email provider is configured, so the email is in the{' '}
              <Link href="/dev/outbox" className="font-medium text-primary underline">
                dev outbox
              </Link>
              .
            </p>
          ) : null}
          <Link href="/sign-in" className="text-muted-foreground hover:underline">
            Use a different email
          </Link>
        </CardContent>
      </Card>
    </main>
  );
}
