import 'server-only';

import { desc, eq } from 'drizzle-orm';

import { env } from '@/config/env';
import { getDb } from '@/shared/db/client';
import { emailOutbox, type OutboxEmail } from '@/shared/db/schema';

/**
 * Whether the dev outbox page may be shown: only when emails are kept rather than sent, and in
 * production only when `EMAIL_OUTBOX=true` says so on purpose.
 */
export function isOutboxVisible(): boolean {
  return env.seams.email === 'outbox' && (env.NODE_ENV !== 'production' || env.EMAIL_OUTBOX);
}

/** The newest kept emails, optionally for one recipient. */
export async function listOutboxEmails(options: { to?: string; limit?: number } = {}): Promise<OutboxEmail[]> {
  const db = await getDb();
  return db
    .select()
    .from(emailOutbox)
    .where(options.to ? eq(emailOutbox.to, options.to) : undefined)
    .orderBy(desc(emailOutbox.createdAt))
    .limit(options.limit ?? 50);
}
