import type { ReactElement } from 'react';
import { plainTextSelectors, render } from '@react-email/render';
import { sql } from 'drizzle-orm';
import { compile } from 'html-to-text';
import { Resend } from 'resend';

import { env } from '@/config/env';
import { builtOnce, getDb, type Database } from '@/shared/db/client';
import { emailOutbox } from '@/shared/db/schema';

/**
 * The email seam. With `RESEND_API_KEY` emails go out through Resend; without it they are kept in
 * the `email_outbox` table, where the dev outbox page (and tests) read what a user would have got.
 */

export interface EmailMessage {
  to: string;
  subject: string;
  /** A react-email component, rendered here to HTML and plain text. */
  react: ReactElement;
}

export class EmailDeliveryError extends Error {
  readonly code = 'EMAIL_DELIVERY_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmailDeliveryError';
  }
}

interface RenderedEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
}

type Transport = (email: RenderedEmail) => Promise<{ id: string }>;

const resendTransport = (apiKey: string): Transport => {
  const resend = new Resend(apiKey, env.RESEND_API_BASE ? { baseUrl: env.RESEND_API_BASE } : undefined);
  return async (email) => {
    const { data, error } = await resend.emails.send(email);
    if (error || !data) throw new EmailDeliveryError(`Resend refused the email to ${email.to}: ${error?.message ?? 'no id returned'}`);
    return { id: data.id };
  };
};

/** The outbox row, built once per database: every receipt writes one. */
const outboxInsert = (db: Database) =>
  builtOnce(db, 'outbox insert', (db) =>
    db
      .insert(emailOutbox)
      .values({
        from: sql.placeholder('from'),
        to: sql.placeholder('to'),
        subject: sql.placeholder('subject'),
        html: sql.placeholder('html'),
        text: sql.placeholder('text'),
      })
      .returning({ id: emailOutbox.id })
      .prepare('outbox_insert'),
  );

const outboxTransport: Transport = async (email) => {
  const [row] = await outboxInsert(await getDb()).execute({ ...email });
  return { id: row!.id };
};

const transport: Transport = env.RESEND_API_KEY ? resendTransport(env.RESEND_API_KEY) : outboxTransport;

/**
 * The plain-text version of an email's HTML: what react-email's `toPlainText` makes of it, with
 * the converter built once (html-to-text compiles its options on every `convert`, which cost more
 * than rendering the email).
 */
const toPlainText = compile({ wordwrap: false, selectors: plainTextSelectors });

/** Renders a react-email component and delivers it through the configured seam. */
export async function sendEmail(message: EmailMessage): Promise<{ id: string }> {
  // Rendered once: the plain text is what `render(…, { plainText: true })` makes of this same HTML.
  const html = await render(message.react);
  const text = toPlainText(html);
  return transport({ from: env.EMAIL_FROM, to: message.to, subject: message.subject, html, text });
}
