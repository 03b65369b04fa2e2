import { readFile } from 'node:fs/promises';

import { expect, test, type Download } from '@playwright/test';
import { parse } from 'csv-parse/sync';

import { history, ledgerRow, spendThroughApi } from './credits-helpers';
import { expectAccessible, signInWithEmailLink } from './helpers';

// Each test walks through several pages and runs axe on them, which takes a few seconds a page here.
test.describe.configure({ timeout: 120_000 });

const CREDITS_PAGE = '/dashboard/billings/credits';
const ADMIN_PAGE = '/dashboard/admin/credits';

/** The rows of a downloaded CSV, by header. */
async function csvRows(download: Download): Promise<Record<string, string>[]> {
  return parse(await readFile((await download.path())!), { columns: true }) as Record<string, string>[];
}

test('a user sees where their credits went, how long they last, filters the history and exports it', async ({ page }) => {
  await signInWithEmailLink(page, 'insights-user@example.com', CREDITS_PAGE);
  await spendThroughApi(page, 3);
  await page.reload();

  const byFeature = page.getByRole('table', { name: 'Credits used per feature, last 30 days' });
  await expect(byFeature.getByRole('row', { name: /Generation/ })).toContainText(/30\s*100%/);
  // 70 credits left at 30 credits per 14 days: 32 days.
  await expect(page.getByTestId('credits-forecast')).toContainText('At this pace your credits last about 32 days');
  await expect(page.getByRole('figure')).toContainText('30 credits used in the last 30 days');
  await expectAccessible(page);

  await page.getByLabel('Kind').selectOption({ label: 'Usage' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/type=usage/);
  await expect(history(page).getByRole('row')).toHaveCount(4); // the header and three uses
  await expect(ledgerRow(page, 'Run generation')).toBeVisible();
  await expect(history(page)).not.toContainText('Sign-up bonus');

  const filteredDownload = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export these as CSV' }).click();
  const usageRows = await csvRows(await filteredDownload);
  // The export is the raw ledger: each generation is a hold of 10 and its settlement, which returns
  // nothing to the balance (credits 0) and records the 10 as used.
  expect(usageRows.map((row) => [row.type, row.reason, row.credits, row.used_delta, row.feature_label])).toEqual(
    Array(3).fill(['hold_settled', 'Run generation', '0', '10', 'Generation']),
  );

  await page.getByLabel('Kind').selectOption({ label: 'Refunds' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText('No entries match these filters.')).toBeVisible();

  const tomorrow = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
  await page.getByLabel('Kind').selectOption({ label: 'All kinds' });
  await page.getByLabel('From (UTC)').fill(tomorrow);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText('No entries match these filters.')).toBeVisible();

  await page.getByRole('link', { name: 'Clear filters' }).click();
  await expect(history(page).getByRole('row')).toHaveCount(5);
  const fullDownload = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export all as CSV' }).click();
  const download = await fullDownload;
  expect(download.suggestedFilename()).toMatch(/^credits-\d{4}-\d{2}-\d{2}\.csv$/);
  const rows = await csvRows(download);
  expect(rows.map((row) => [row.type, row.balance_after])).toEqual([
    ['signup_bonus', '100'],
    ['hold', '90'],
    ['hold_settled', '90'],
    ['hold', '80'],
    ['hold_settled', '80'],
    ['hold', '70'],
    ['hold_settled', '70'],
  ]);
});

test('an admin revokes bonus credits after confirming, sees it in the audit list, and the user sees the correction', async ({ page, browser }) => {
  const userContext = await browser.newContext();
  const userPage = await userContext.newPage();
  await signInWithEmailLink(userPage, 'revoked-user@example.com', CREDITS_PAGE);

  await signInWithEmailLink(page, 'insights-admin@example.com', ADMIN_PAGE);
  await page.getByLabel('Search by email').fill('revoked-user');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: /revoked-user@example\.com/ }).click();
  await expect(page.getByRole('heading', { name: 'revoked-user@example.com' })).toBeVisible();

  // More than the bonus bucket holds: refused before any confirmation.
  await page.getByLabel('Revoke bonus credits').check();
  await page.getByLabel('Credits', { exact: true }).fill('150');
  await page.getByLabel('Why this correction').fill('Promo credits granted twice');
  await page.getByRole('button', { name: 'Review correction' }).click();
  await expect(page.getByText('a correction never goes below zero')).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);

  await page.getByLabel('Credits', { exact: true }).fill('40');
  await page.getByRole('button', { name: 'Review correction' }).click();
  const confirmation = page.getByRole('dialog', { name: 'Revoke 40 bonus credits?' });
  await expect(confirmation).toContainText('revoked-user@example.com’s bonus credits go from 100 to 60');
  await expectAccessible(page);
  // Cancelling changes nothing.
  await confirmation.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('credits-bonus')).toHaveText('100');

  await page.getByRole('button', { name: 'Review correction' }).click();
  await page.getByRole('dialog', { name: 'Revoke 40 bonus credits?' }).getByRole('button', { name: 'Confirm correction' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Revoked 40 bonus credits' })).toBeVisible();
  await expect(page.getByTestId('credits-bonus')).toHaveText('60');
  await expect(ledgerRow(page, 'Promo credits granted twice')).toContainText('insights-admin@example.com');
  await expectAccessible(page);

  const userExport = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export ledger as CSV' }).click();
  const exported = await csvRows(await userExport);
  expect(exported.at(-1)).toMatchObject({ type: 'correction', bonus_delta: '-40', actor_type: 'admin', reason: 'Promo credits granted twice' });

  await page.getByRole('link', { name: 'Audit' }).click();
  const audit = page.getByRole('table', { name: 'Admin actions, newest first' });
  await expect(audit.getByRole('row', { name: /Promo credits granted twice/ })).toContainText('−40 bonus');
  await page.getByLabel('User’s email').fill('revoked-user@example.com');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(audit.getByRole('row')).toHaveCount(2);
  await page.getByLabel('User’s email').fill('nobody-acted-on@example.com');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByText('No user with the email nobody-acted-on@example.com.')).toBeVisible();
  await page.getByRole('link', { name: 'Clear filters' }).click();
  await page.getByLabel('Admin', { exact: true }).selectOption({ label: 'insights-admin@example.com' });
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(audit.getByRole('row', { name: /Promo credits granted twice/ })).toBeVisible();
  await expectAccessible(page);

  await userPage.reload();
  await expect(ledgerRow(userPage, 'Promo credits granted twice')).toContainText('−40');
  await expect(userPage.getByTestId('credits-bonus')).toHaveText('60');
  await userContext.close();
});

test('the books add up the ledger, and the whole ledger exports for a range of days', async ({ page }) => {
  await signInWithEmailLink(page, 'insights-admin@example.com', '/dashboard/admin/books');

  await expect(page.getByRole('heading', { name: 'Books', level: 1 })).toBeVisible();
  // Earlier tests bought in dollars (and one in euros): the figure names each currency's total.
  await expect(page.getByTestId('books-deferred-revenue')).toHaveText(/\$\d/);
  const thisMonth = page.getByRole('table', { name: 'Credits per month (UTC), newest first' }).getByRole('row').nth(1);
  await expect(thisMonth).toBeVisible();
  await expectAccessible(page);

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export ledger as CSV' }).click();
  const rows = await csvRows(await download);
  expect(rows.length).toBeGreaterThan(0);
  expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['id', 'created_at', 'type', 'wallet_id', 'actor_id', 'metadata']));
});

test('a user who is not an admin gets a 404 for the books, the audit list and the admin export', async ({ page }) => {
  await signInWithEmailLink(page, 'nosy-user@example.com');
  for (const path of ['/dashboard/admin/books', '/dashboard/admin/audit']) {
    expect((await page.goto(path))?.status()).toBe(404);
  }
  expect((await page.request.get('/dashboard/admin/credits/export?from=2020-01-01&to=2030-01-01')).status()).toBe(404);
});
