import { expect, test } from '@playwright/test';

import { expectBalances, ledgerRow } from './credits-helpers';
import { signInWithEmailLink } from './helpers';

const CREDITS_PAGE = '/dashboard/billings/credits';

test('a new user sees the sign-up bonus on the credits page, with its line in the history', async ({ page }) => {
  await signInWithEmailLink(page, 'bonus-reader@example.com', CREDITS_PAGE);

  await expect(page.getByRole('heading', { name: 'Credits', level: 1 })).toBeVisible();
  await expectBalances(page, { available: 100, purchased: 0, bonus: 100, used: 0 });
  const row = ledgerRow(page, 'Sign-up bonus');
  await expect(row).toContainText('+100');
  await expect(row.getByRole('cell').last()).toHaveText('100');
});

test('the header shows the balance on every dashboard page and links to the credits page', async ({ page }) => {
  await signInWithEmailLink(page, 'header-badge@example.com');

  await page.getByRole('link', { name: '100 credits available' }).click();

  await expect(page).toHaveURL(CREDITS_PAGE);
  await expect(page.getByRole('link', { name: 'Credits', exact: true })).toHaveAttribute('aria-current', 'page');
});

test('returning from checkout with ?billing=cancel shows a quiet notice and leaves the balance as it was', async ({ page }) => {
  await signInWithEmailLink(page, 'cancelled@example.com', CREDITS_PAGE);

  await page.goto(`${CREDITS_PAGE}?billing=cancel`);

  await expect(page.getByRole('status').filter({ hasText: 'Checkout cancelled' })).toContainText('You were not charged');
  await expectBalances(page, { available: 100, purchased: 0, bonus: 100, used: 0 });
});

test('returning from checkout with ?billing=success confirms the payment with a toast', async ({ page }) => {
  await signInWithEmailLink(page, 'returned@example.com', CREDITS_PAGE);

  await page.goto(`${CREDITS_PAGE}?billing=success`);

  await expect(page.getByText('Payment received')).toBeVisible();
});
