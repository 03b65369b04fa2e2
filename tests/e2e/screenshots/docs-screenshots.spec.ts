import { expect, test, type Page } from '@playwright/test';

import { ledgerRow, spendThroughApi } from '../credits-helpers';
import { PHONE, signInWithEmailLink } from '../helpers';

// Run by `npm run screenshots` only (playwright.screenshots.config.ts): it rewrites docs/screenshots.

test.describe.configure({ timeout: 90_000 });

const sizes = [
  ['', { width: 1280, height: 720 }],
  ['-phone', PHONE],
] as const;

const shot = (page: Page, name: string, fullPage = false) =>
  page.screenshot({
    path: `docs/screenshots/${name}.png`,
    fullPage,
    animations: 'disabled',
  });

for (const [suffix, viewport] of sizes) {
  test.describe(suffix ? 'phone' : 'desktop', () => {
    test.use({ viewport });

    test('the credits page and the top-up modal', async ({ page }) => {
      await signInWithEmailLink(page, `screenshots${suffix}@example.com`, '/dashboard/billings/credits');
      await spendThroughApi(page, 1);
      await page.reload();
      await expect(ledgerRow(page, 'Run generation')).toBeVisible();
      await shot(page, `credits-page${suffix}`, true);

      await page.getByRole('button', { name: 'Top up', exact: true }).click();
      const modal = page.getByRole('dialog', { name: 'Top up credits' });
      await modal.getByLabel('Or enter a number of credits').fill('1234');
      await expect(modal.getByText('$12.34')).toBeVisible();
      await shot(page, `top-up-modal${suffix}`);
    });

    test('the admin credits page with a user selected', async ({ page }) => {
      await signInWithEmailLink(page, 'admin@example.com', '/dashboard/admin/credits');
      await page.goto(`/dashboard/admin/credits?q=screenshots${suffix}`);
      await page
        .getByRole('link', {
          name: new RegExp(`screenshots${suffix}@example\\.com`),
        })
        .click();
      await page.getByLabel('Credits to grant').fill('250');
      await page.getByLabel('Reason').fill('Compensation for the March outage');
      await page.getByRole('button', { name: 'Review grant' }).click();
      await page.getByRole('dialog', { name: 'Grant 250 bonus credits?' }).getByRole('button', { name: 'Confirm grant' }).click();
      await expect(ledgerRow(page, 'Compensation for the March outage')).toBeVisible();
      await shot(page, `admin-credits${suffix}`, true);
    });
  });
}
