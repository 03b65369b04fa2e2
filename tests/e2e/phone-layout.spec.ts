import { expect, test, type Locator } from '@playwright/test';

import { ledgerRow, spendThroughApi } from './credits-helpers';
import { expectNoSidewaysScroll, expectWithinWidth, PHONE, signInWithEmailLink } from './helpers';

// A plain 390 px window, not Playwright's `isMobile`: with it Chromium zooms out to fit a page that is
// too wide, which would hide exactly the overflow these tests look for.
test.use({ viewport: PHONE });
// Each test signs in and measures a handful of elements one by one.
test.describe.configure({ timeout: 150_000 });

/** A history row on a phone: a card whose five cells sit one under the other, each fully on screen. */
async function expectHistoryCard(row: Locator, cells: { amount?: string; balance: string }) {
  const [date, type, reason, amount, balance] = await row.getByRole('cell').all();
  for (const cell of [date!, type!, reason!, amount!, balance!]) await expectWithinWidth(cell);
  const tops = await Promise.all([date!, type!, reason!, amount!, balance!].map(async (cell) => (await cell.boundingBox())!.y));
  expect(tops, 'the cells are stacked, not side by side').toEqual([...tops].sort((a, b) => a - b));
  expect(new Set(tops).size).toBe(5);
  if (cells.amount) await expect(amount!).toContainText(cells.amount);
  await expect(balance!).toHaveText(cells.balance);
}

test('on a phone the credits page does not scroll sideways and each history row shows its reason, amount and balance', async ({ page }) => {
  await signInWithEmailLink(page, 'phone-user@example.com', '/dashboard/billings/credits');
  await spendThroughApi(page, 1);
  await page.reload();

  await expectNoSidewaysScroll(page);
  // How a reserved-then-charged run shows its amount is not this test's business; its balance is.
  await expectHistoryCard(ledgerRow(page, 'Run generation'), { balance: '90' });
  await expectHistoryCard(ledgerRow(page, 'Sign-up bonus'), { amount: '+100', balance: '100' });
});

test('on a phone the top-up modal fits the window', async ({ page }) => {
  await signInWithEmailLink(page, 'phone-top-up@example.com', '/dashboard/billings/credits');

  await page.getByRole('button', { name: 'Top up', exact: true }).click();

  const modal = page.getByRole('dialog', { name: 'Top up credits' });
  await expectWithinWidth(modal);
  await expectNoSidewaysScroll(page);
  for (const buy of await modal.getByRole('button', { name: /^Buy / }).all()) await expectWithinWidth(buy);
  await expectWithinWidth(modal.getByText('Save 20%'));
  await expectWithinWidth(modal.getByLabel('Or enter a number of credits'));
});

test('on a phone the admin credits page with a user selected does not scroll sideways', async ({ page, browser }) => {
  const userContext = await browser.newContext();
  const userPage = await userContext.newPage();
  await signInWithEmailLink(userPage, 'phone-admin-view@example.com');
  await spendThroughApi(userPage, 1);
  await userContext.close();

  await signInWithEmailLink(page, 'phone-admin@example.com', '/dashboard/admin/credits');
  await page.goto('/dashboard/admin/credits?q=phone-admin-view');
  await page.getByRole('link', { name: /phone-admin-view@example\.com/ }).click();
  await expect(page.getByRole('heading', { name: 'phone-admin-view@example.com' })).toBeVisible();

  await expectNoSidewaysScroll(page);
  // The header's bottom border runs the whole width.
  expect((await page.getByRole('banner').boundingBox())!.width).toBe(PHONE.width);
  for (const stat of await page.getByRole('group', { name: /credits$/ }).all()) await expectWithinWidth(stat);
  await expectWithinWidth(page.getByRole('button', { name: 'Review grant' }));
  await expectHistoryCard(ledgerRow(page, 'Run generation'), { balance: '90' });
  await expectHistoryCard(ledgerRow(page, 'Sign-up bonus'), { amount: '+100', balance: '100' });
});
