import type { ReactElement } from 'react';
import { plainTextSelectors } from '@react-email/render';
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

/** The doctype react-email's `render` gives every email (email clients expect XHTML's). */
const XHTML_DOCTYPE = '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">';
/** React's hints to preload each `<img>`: for browsers, dead weight in an email (react-email drops them too). */
const IMAGE_PRELOAD = /<link\b(?=[^>]*\brel="preload")(?=[^>]*\bas="image")[^>]*>/gi;

type ReactDomServer = typeof import('react-dom/server');
/** React's server renderer, imported on first use as react-email's `render` imports it, then kept. */
let reactDomServer: Promise<ReactDomServer> | undefined;

/**
 * An email's HTML, as react-email's `render` makes it, without its streaming: emails are synchronous
 * components, so React's `renderToStaticMarkup` renders them in a quarter of the time `render` takes
 * through web streams (about 0.5 ms against 1.8 ms for the receipt here), and without the streaming
 * renderer's comment markers. A component that suspends throws, and the email is not sent.
 */
async function renderHtml(element: ReactElement): Promise<string> {
  // A failed import is not kept: the next email tries again.
  reactDomServer ??= import('react-dom/server').then(
    (module) => ('default' in module ? (module.default as ReactDomServer) : module),
    (error: unknown) => {
      reactDomServer = undefined;
      throw error;
    },
  );
  const server = await reactDomServer;
  const markup = server.renderToStaticMarkup(element);
  return XHTML_DOCTYPE + markup.replace(/^<!DOCTYPE[^>]*>/i, '').replace(IMAGE_PRELOAD, '');
}

/** Renders a react-email component and delivers it through the configured seam. */
export async function sendEmail(message: EmailMessage): Promise<{ id: string }> {
  // Rendered once: the plain text is what react-email's `toPlainText` makes of this same HTML.
  const html = await renderHtml(message.react);
  const text = toPlainText(html);
  return transport({ from: env.EMAIL_FROM, to: message.to, subject: message.subject, html, text });
}
