import { readFileSync } from 'node:fs';
import path from 'node:path';

import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page } from '@playwright/test';

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

/** A phone-sized window (an iPhone 12 to 15), for the layout checks and the phone screenshots. */
export const PHONE = { width: 390, height: 844 };

const wcag21AA = new Set(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);

/**
 * Axe finds nothing on the page as it is now against WCAG 2.1 A and AA, whatever the impact, and no
 * serious or critical breach of its other rules (best practices).
 */
export async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const failing = violations.filter((v) => v.tags.some((tag) => wcag21AA.has(tag)) || v.impact === 'serious' || v.impact === 'critical');
  expect(failing.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** The page does not scroll sideways: nothing in it is wider than the window. */
export async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, 'the page is no wider than the window').toBeLessThanOrEqual(innerWidth);
}

/** Visible, and wholly within the window's width: not cut off, nor hidden behind a sideways scroll. */
export async function expectWithinWidth(locator: Locator) {
  await expect(locator).toBeVisible();
  const box = (await locator.boundingBox())!;
  const width = locator.page().viewportSize()!.width;
  expect({ left: box.x >= 0, right: box.x + box.width <= width }, `${locator} spans ${box.x}…${box.x + box.width} of ${width}px`).toEqual({
    left: true,
    right: true,
  });
}
