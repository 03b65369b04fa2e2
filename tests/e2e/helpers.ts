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
