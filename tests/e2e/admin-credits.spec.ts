import { expect, test } from '@playwright/test';

import { expectBalances, ledgerRow } from './credits-helpers';
import { callServerAction, signInWithEmailLink } from './helpers';

const ADMIN_PAGE = '/dashboard/admin/credits';

test('an admin grants 250 bonus credits with a reason, and the user sees them and the ledger line', async ({ page, browser }) => {
  const userContext = await browser.newContext();
  const userPage = await userContext.newPage();
  await signInWithEmailLink(userPage, 'lucky-user@example.com', '/dashboard/billings/credits');

  await signInWithEmailLink(page, 'admin@example.com', ADMIN_PAGE);
  await page.getByLabel('Search by email').fill('lucky-user');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: /lucky-user@example\.com/ }).click();
  await expect(page.getByRole('heading', { name: 'lucky-user@example.com' })).toBeVisible();
  await page.getByLabel('Credits to grant').fill('250');
  await page.getByLabel('Reason').fill('Compensation for the March outage');
  await page.getByRole('button', { name: 'Review grant' }).click();
  const confirmation = page.getByRole('dialog', { name: 'Grant 250 bonus credits?' });
  await expect(confirmation).toContainText('lucky-user@example.com');
  await confirmation.getByRole('button', { name: 'Confirm grant' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'Granted 250 bonus credits' })).toBeVisible();
  await expect(page.getByTestId('credits-bonus')).toHaveText('350');
  await expect(ledgerRow(page, 'Compensation for the March outage')).toContainText('admin@example.com');

  await userPage.reload();
  await expectBalances(userPage, { available: 350, purchased: 0, bonus: 350, used: 0 });
  const row = ledgerRow(userPage, 'Compensation for the March outage');
  await expect(row).toContainText('+250');
  await expect(row.getByRole('cell').last()).toHaveText('350');
  await userContext.close();
});

test('the grant form refuses an amount that is not a positive whole number before asking to confirm', async ({ page }) => {
  await signInWithEmailLink(page, 'admin@example.com', ADMIN_PAGE);
  await page.getByRole('link', { name: /^admin@example\.com/ }).click();
  await page.getByLabel('Credits to grant').fill('0');
  await page.getByLabel('Reason').fill('Typo');

  await page.getByRole('button', { name: 'Review grant' }).click();

  await expect(page.getByText('Enter a whole number of credits greater than zero.')).toBeVisible();
  await expect(page.getByLabel('Credits to grant')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('dialog')).toHaveCount(0);
});

test('the grant form requires a reason', async ({ page }) => {
  await signInWithEmailLink(page, 'admin@example.com', ADMIN_PAGE);
  await page.getByRole('link', { name: /^admin@example\.com/ }).click();
  await page.getByLabel('Credits to grant').fill('250');

  await page.getByRole('button', { name: 'Review grant' }).click();

  await expect(page.getByText('Give a reason; it is recorded in the user’s ledger.')).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
});

test('a user who is not an admin gets a 404 for the admin credits page and sees no admin links', async ({ page }) => {
  await signInWithEmailLink(page, 'curious-user@example.com');
  await expect(page.getByRole('link', { name: 'Admin credits' })).toHaveCount(0);

  const response = await page.goto(ADMIN_PAGE);

  expect(response?.status()).toBe(404);
  await expect(page.getByText('This page could not be found.')).toBeVisible();
});

test('a user who is not an admin calling the grant action directly is refused', async ({ page, baseURL }) => {
  await signInWithEmailLink(page, 'sneaky-user@example.com', '/dashboard/billings/credits');
  const { user } = await (await page.request.get('/api/auth/session')).json();

  const answer = await callServerAction(page, baseURL!, { file: 'admin-credits.action.ts', name: 'grantBonusCredits' }, [
    { userId: user.id, credits: 1_000_000, reason: 'Free credits' },
  ]);

  expect(answer).toContain('"code":"FORBIDDEN"');
  await page.reload();
  await expectBalances(page, { available: 100, purchased: 0, bonus: 100, used: 0 });
});
