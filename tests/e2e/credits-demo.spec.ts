import { expect, test } from '@playwright/test';

import { expectBalances, ledgerRow, spendThroughApi } from './credits-helpers';
import { signInWithEmailLink } from './helpers';

test('a generation on the dashboard spends bonus credits first, and the credits page shows it', async ({ page }) => {
  await signInWithEmailLink(page, 'demo-spender@example.com');
  await expect(page.getByTestId('dashboard-credits')).toHaveText('100');

  await page.getByRole('button', { name: 'Run generation — 10 credits' }).click();

  await expect(page.getByTestId('generation-output')).toContainText('A lighthouse at dusk');
  await expect(page.getByTestId('dashboard-credits')).toHaveText('90');
  await expect(page.getByTestId('header-credits')).toHaveText('90');

  await page.getByRole('link', { name: 'Credits', exact: true }).click();
  await expectBalances(page, { available: 90, purchased: 0, bonus: 90, used: 10 });
  const row = ledgerRow(page, 'Run generation');
  await expect(row).toContainText('−10');
  await expect(row).toContainText('10 bonus');
  await expect(row.getByRole('cell').last()).toHaveText('90');
  await expect(page.getByRole('figure')).toContainText('10 credits used in the last 30 days');
});

test('when credits run short the demo says so and offers the top-up modal', async ({ page }) => {
  await signInWithEmailLink(page, 'demo-broke@example.com');
  await spendThroughApi(page, 10);
  await page.reload();
  await expect(page.getByTestId('dashboard-credits')).toHaveText('0');

  await page.getByRole('button', { name: 'Run generation — 10 credits' }).click();

  await expect(page.getByText('Not enough credits — top up')).toBeVisible();
  await expect(page.getByText('This run needs 10 credits and you have 0.')).toBeVisible();
  await page.getByRole('button', { name: 'Top up now' }).click();
  const modal = page.getByRole('dialog', { name: 'Top up credits' });
  await expect(modal.getByRole('button', { name: 'Buy Starter Pack' })).toBeVisible();
});
