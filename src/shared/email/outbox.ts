import 'server-only';

import { desc, eq } from 'drizzle-orm';

import { env as appEnv, type Env } from '@/config/env';
import { getDb } from '@/shared/db/client';
import { emailOutbox, type OutboxEmail } from '@/shared/db/schema';

/**
 * Whether `viewer` may see the dev outbox: only when emails are kept rather than sent. In
 * development anyone on the machine may; in production (`EMAIL_OUTBOX=true`) only a signed-in admin,
 * because the outbox holds everyone's sign-in links, and a link is a way into its recipient's account.
 */
export function isOutboxVisible(viewer: { role?: string } | null, env: Pick<Env, 'seams' | 'NODE_ENV' | 'EMAIL_OUTBOX'> = appEnv): boolean {
  if (env.seams.email !== 'outbox') return false;
  if (env.NODE_ENV !== 'production') return true;
  return env.EMAIL_OUTBOX && viewer?.role === 'admin';
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
