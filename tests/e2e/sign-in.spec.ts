import { expect, test } from '@playwright/test';

import { signInThroughOutbox } from './helpers';

test('a new user signs in with the magic link from the outbox and reaches the dashboard', async ({ page }) => {
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fdashboard/);

  await signInThroughOutbox(page, 'new-user@example.com');

  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await expect(page.getByTestId('signed-in-as')).toHaveText('new-user@example.com');
});

test('a user who is not an admin gets a 404 for the admin pages', async ({ page }) => {
  await signInThroughOutbox(page, 'not-admin@example.com');
  await expect(page.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0);

  const response = await page.goto('/dashboard/admin');
  expect(response?.status()).toBe(404);
  await expect(page.getByText('This page could not be found.')).toBeVisible();
});

test('an address in ADMIN_EMAILS becomes an admin on sign-in', async ({ page }) => {
  await signInThroughOutbox(page, 'admin@example.com');
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Admin' })).toBeVisible();
  await expect(page.getByRole('row', { name: /^admin@example.com admin/ })).toBeVisible();
});

test('a bad email address is refused with a message', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(page.locator('#email-error')).toHaveText('Enter a valid email address.');
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
});
