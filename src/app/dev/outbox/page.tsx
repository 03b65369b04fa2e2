import type { Metadata } from 'next';
import { notFound } from 'next/navigation';

import { getSessionUser } from '@/features/common/auth/session';
import { isOutboxVisible, listOutboxEmails } from '@/shared/email/outbox';

export const metadata: Metadata = { title: 'Dev outbox', robots: { index: false } };

const timeFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium' });

function linksIn(html: string): string[] {
  return [...new Set([...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&')))];
}

/** What users would have received, when no email provider is configured. */
export default async function OutboxPage({ searchParams }: PageProps<'/dev/outbox'>) {
  // Strangers in production get a 404: the outbox holds everyone's sign-in links.
  if (!isOutboxVisible(await getSessionUser())) notFound();
  const { to } = await searchParams;
  const emails = await listOutboxEmails({ to: typeof to === 'string' ? to : undefined });

  return (
    <main className="mx-auto flex max-w-4xl flex-col gap-6 px-6 py-10">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Dev outbox</h1>
        <p className="text-muted-foreground">
          No email provider is configured, so emails are kept here instead of sent. Set RESEND_API_KEY to send them.
        </p>
      </div>
      {emails.length === 0 ? <p className="text-muted-foreground">No emails yet.</p> : null}
      {emails.map((email) => (
        <article key={email.id} className="rounded-xl border border-border" aria-label={email.subject}>
          <header className="flex flex-wrap items-baseline justify-between gap-2 border-b border-border px-4 py-3">
            <div>
              <h2 className="font-medium">{email.subject}</h2>
              <p className="text-sm text-muted-foreground">To {email.to}</p>
            </div>
            <time className="text-xs text-muted-foreground" dateTime={email.createdAt.toISOString()}>
              {timeFormat.format(email.createdAt)}
            </time>
          </header>
          <ul className="flex flex-col gap-1 px-4 py-3 text-sm">
            {linksIn(email.html).map((href) => (
              <li key={href} className="truncate">
                <a href={href} className="text-primary underline">
                  {href}
                </a>
              </li>
            ))}
          </ul>
          <iframe title={`Email: ${email.subject}`} srcDoc={email.html} sandbox="" className="h-96 w-full rounded-b-xl bg-white" />
        </article>
      ))}
    </main>
  );
}
