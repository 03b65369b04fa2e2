import { expect, test } from '@playwright/test';

import { spendThroughApi } from './credits-helpers';
import { inboxOf, signInWithEmailLink } from './helpers';

const CREDITS_PAGE = '/dashboard/billings/credits';

test('a user sets a low-balance alert, spends below it and gets one email', async ({ page }) => {
  await signInWithEmailLink(page, 'low-balance@example.com', CREDITS_PAGE);
  const threshold = page.getByLabel('Email me when my balance falls below');
  await threshold.fill('95');
  await page.getByRole('button', { name: 'Save alert' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toContainText('below 95 credits');
  await page.reload();
  await expect(page.getByLabel('Email me when my balance falls below')).toHaveValue('95');

  // The sign-up bonus is 100 credits; each example run costs some. Two runs cross 95 once.
  await spendThroughApi(page, 2);
  await expect
    .poll(async () => (await inboxOf('low-balance@example.com')).filter((m) => m.subject.startsWith('Only ') && m.subject.endsWith(' credits left')).length, {
      timeout: 15_000,
    })
    .toBe(1);
  await spendThroughApi(page, 1);
  await page.waitForTimeout(1000);
  expect((await inboxOf('low-balance@example.com')).filter((m) => m.subject.startsWith('Only '))).toHaveLength(1);

  await page.getByRole('button', { name: 'Turn off' }).click();
  await expect(page.getByText('Off: no low-balance emails.')).toBeVisible();
});
