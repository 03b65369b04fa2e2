import { expect, test, type Locator, type Page } from '@playwright/test';

import { signInWithEmailLink } from './helpers';

const CREDITS_PAGE = '/dashboard/billings/credits';

const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

/** Presses Tab until `target` has focus, as a keyboard user would reach it. */
async function tabTo(page: Page, target: Locator) {
  for (let presses = 0; presses < 40 && !(await isFocused(target)); presses++) await page.keyboard.press('Tab');
  await expect(target).toBeFocused();
}

test('keyboard only: the top-up modal opens with Enter, keeps focus inside and closes on Escape', async ({ page }) => {
  await signInWithEmailLink(page, 'keyboard-user@example.com', CREDITS_PAGE);
  const topUp = page.getByRole('button', { name: 'Top up', exact: true });
  await tabTo(page, topUp);

  await page.keyboard.press('Enter');

  const modal = page.getByRole('dialog', { name: 'Top up credits' });
  await expect(modal).toBeVisible();
  const visited = new Set<string>();
  for (let presses = 0; presses < 12; presses++) {
    await page.keyboard.press(presses % 4 === 3 ? 'Shift+Tab' : 'Tab');
    const focused = await modal.evaluate((dialog) => (dialog.contains(document.activeElement) ? (document.activeElement?.outerHTML ?? '') : null));
    expect(focused, 'focus stays inside the modal').not.toBeNull();
    visited.add(focused!);
  }
  expect(visited.size, 'Tab cycles through the modal’s controls').toBeGreaterThanOrEqual(4);

  await page.keyboard.press('Escape');

  await expect(modal).toBeHidden();
  await expect(topUp).toBeFocused();
});

test('the manual amount shows its live price', async ({ page }) => {
  await signInWithEmailLink(page, 'manual-price@example.com', CREDITS_PAGE);
  await page.getByRole('button', { name: 'Top up', exact: true }).click();
  const modal = page.getByRole('dialog', { name: 'Top up credits' });

  await modal.getByLabel('Or enter a number of credits').fill('1234');

  await expect(modal.getByText('$12.34')).toBeVisible();
  await expect(modal.getByRole('button', { name: 'Buy 1,234 credits' })).toBeVisible();
  await expect(modal).toContainText('50 to 1,000,000 credits');
});

test('the manual amount refuses an amount under the minimum in the modal', async ({ page }) => {
  await signInWithEmailLink(page, 'manual-minimum@example.com', CREDITS_PAGE);
  await page.getByRole('button', { name: 'Top up', exact: true }).click();
  const modal = page.getByRole('dialog', { name: 'Top up credits' });

  await modal.getByLabel('Or enter a number of credits').fill('10');
  await modal.getByRole('button', { name: 'Buy credits' }).click();

  await expect(modal.getByRole('alert')).toHaveText('The minimum is 50 credits ($0.50).');
  await expect(modal.getByLabel('Or enter a number of credits')).toHaveAttribute('aria-invalid', 'true');
  await expect(modal).toBeVisible();
  await expect(page).toHaveURL(CREDITS_PAGE);
});

test('the modal opens from its own trigger on the dashboard', async ({ page }) => {
  await signInWithEmailLink(page, 'dashboard-top-up@example.com');

  await page.getByRole('button', { name: 'Top up credits' }).click();

  const modal = page.getByRole('dialog', { name: 'Top up credits' });
  await expect(modal.getByRole('list', { name: 'Credit packages' })).toContainText('Starter Pack');
  await expect(modal).toContainText('$10.00');
  await expect(modal).toContainText('Current balance100 credits');
});
