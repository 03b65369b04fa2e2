import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect, type Page } from '@playwright/test';

import { inboxURL } from '../../playwright.config';

export interface ReceivedEmail {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
}

/** The emails `to` has received, newest first (from the local Resend-compatible server). */
export async function inboxOf(to: string): Promise<ReceivedEmail[]> {
  const response = await fetch(`${inboxURL}/test/emails?to=${encodeURIComponent(to)}`);
  return (await response.json()) as ReceivedEmail[];
}

/** The sign-in link in the newest sign-in email to `email`, waiting for it to arrive. */
export async function signInLinkFor(email: string, after = 0): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(async () => {
      const emails = (await inboxOf(email)).filter((message) => message.subject.startsWith('Sign in to'));
      if (emails.length <= after) return undefined;
      link = [...emails[0]!.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&')).find((href) => href.includes('/api/auth/callback/email'));
      return link;
    })
    .toBeDefined();
  return link!;
}

/** Signs in as `email` the way a person does: asks for a link, opens it from their inbox. */
export async function signInWithEmailLink(page: Page, email: string, returnTo = '/dashboard'): Promise<void> {
  const before = (await inboxOf(email)).filter((message) => message.subject.startsWith('Sign in to')).length;
  await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();

  await page.goto(await signInLinkFor(email, before));
  await page.waitForURL((url) => url.pathname === returnTo);
}

/**
 * Calls a server action the way the browser's form or hook does (its id comes from this build's
 * manifest), as the signed-in user of `page`, and returns the raw RSC answer. For checking that the
 * server itself refuses what the UI would never send.
 */
export async function callServerAction(page: Page, baseURL: string, action: { file: string; name: string }, args: unknown[]): Promise<string> {
  const manifest = JSON.parse(readFileSync(path.join(process.cwd(), '.next/server/server-reference-manifest.json'), 'utf8'));
  const entry = Object.entries<{ exportedName?: string; filename?: string }>(manifest.node).find(
    ([, a]) => a.exportedName === action.name && a.filename?.endsWith(action.file),
  );
  if (!entry) throw new Error(`${action.name} from ${action.file} is not in the server action manifest`);
  const response = await page.request.post('/dashboard', {
    headers: { 'next-action': entry[0], accept: 'text/x-component', 'content-type': 'text/plain;charset=UTF-8', origin: baseURL },
    data: JSON.stringify(args),
  });
  return response.text();
}
