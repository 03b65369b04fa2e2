import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect, type Page } from '@playwright/test';

/** Signs in as `email` the way a person does: asks for a link, opens it from the dev outbox. */
export async function signInThroughOutbox(page: Page, email: string, returnTo = '/dashboard'): Promise<void> {
  await page.goto(`/sign-in?callbackUrl=${encodeURIComponent(returnTo)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();

  await page.getByRole('link', { name: 'dev outbox' }).click();
  const message = page.getByRole('article').filter({ hasText: `To ${email}` }).first();
  await message.getByRole('link', { name: /api\/auth\/callback\/email/ }).click();
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
