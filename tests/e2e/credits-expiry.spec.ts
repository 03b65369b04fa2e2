import { expect, test } from '@playwright/test';

import { ledgerRow } from './credits-helpers';
import { expectAccessible, signInWithEmailLink } from './helpers';

// Several pages, a purchase and two people: more than the default 30 s on a busy machine.
test.describe.configure({ timeout: 120_000 });

const CREDITS_PAGE = '/dashboard/billings/credits';
const ADMIN_PAGE = '/dashboard/admin/credits';

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

test('a pack that expires says so before the purchase, the credits page shows when, and an admin can end the credits early', async ({ page, browser }) => {
  await signInWithEmailLink(page, 'expiring-buyer@example.com', CREDITS_PAGE);
  // Only sign-up bonus credits that never expire: no expiring card.
  await expect(page.getByTestId('credits-next-expiry')).toHaveCount(0);

  await page.getByRole('button', { name: 'Top up' }).click();
  const modal = page.getByRole('dialog', { name: 'Top up credits' });
  await expect(modal.getByRole('listitem').filter({ hasText: 'Starter Pack' })).toContainText('Credits expire 365 days after purchase');
  await expect(modal.getByRole('listitem').filter({ hasText: 'Pro Pack' })).not.toContainText('expire');
  await modal.getByRole('button', { name: 'Buy Starter Pack' }).click();
  await page.waitForURL(/\/checkout\/simulator\/cs_sim_/);
  await page.getByRole('button', { name: 'Pay $10.00' }).click();
  await page.waitForURL(/billing=success/);

  await page.goto(CREDITS_PAGE);
  const inAYear = dateFormat.format(new Date(Date.now() + 365 * 24 * 60 * 60 * 1000));
  await expect(page.getByTestId('credits-next-expiry')).toContainText(`1,000 credits expire on ${inAYear}`);
  const lots = page.getByRole('list', { name: 'Credit lots' });
  await expect(lots.getByRole('listitem')).toHaveCount(2);
  await expect(lots.getByRole('listitem').first()).toContainText('Never expires'); // the bonus, spent first
  await expect(lots.getByRole('listitem').last()).toContainText(`Expires ${inAYear}`);
  await expectAccessible(page);

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInWithEmailLink(admin, 'expiry-admin@example.com', ADMIN_PAGE);
  await admin.getByLabel('Search by email').fill('expiring-buyer');
  await admin.getByRole('button', { name: 'Search' }).click();
  await admin.getByRole('link', { name: /expiring-buyer@example\.com/ }).click();
  const adminLots = admin.getByRole('list', { name: 'Credit lots' });
  await expect(adminLots.getByRole('listitem')).toHaveCount(2);
  await adminLots.getByRole('button', { name: /^End now: 1000 purchased credits/ }).click();
  const confirm = admin.getByRole('dialog', { name: 'End 1,000 credits now?' });
  await confirm.getByRole('button', { name: 'End credits' }).click();
  await expect(confirm.getByText('Give a reason')).toBeVisible();
  await confirm.getByLabel('Reason').fill('Chargeback on the card');
  await expectAccessible(admin);
  await confirm.getByRole('button', { name: 'End credits' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(adminLots.getByRole('listitem')).toHaveCount(1);
  await expect(admin.getByTestId('credits-available')).toHaveText('100');
  await adminContext.close();

  await page.reload();
  await expect(page.getByTestId('credits-next-expiry')).toHaveCount(0);
  const ended = ledgerRow(page, 'Chargeback on the card');
  await expect(ended).toContainText('Expired');
  await expect(ended).toContainText('−1,000');
});

test('an admin grants bonus credits that are spendable until a chosen day', async ({ page }) => {
  const userContext = await page.context().browser()!.newContext();
  const user = await userContext.newPage();
  await signInWithEmailLink(user, 'trial-user@example.com', CREDITS_PAGE);

  await signInWithEmailLink(page, 'expiry-admin@example.com', ADMIN_PAGE);
  await page.getByLabel('Search by email').fill('trial-user');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: /trial-user@example\.com/ }).click();
  const lastDay = new Date(Date.now() + 14 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
  await page.getByLabel('Credits to grant').fill('300');
  await page.getByLabel('Reason').fill('Two-week trial');
  await page.getByLabel('Spendable until (optional)').fill(lastDay);
  await page.getByRole('button', { name: 'Review grant' }).click();
  const confirm = page.getByRole('dialog', { name: 'Grant 300 bonus credits?' });
  await expect(confirm).toContainText(`Spendable until the end of ${dateFormat.format(new Date(`${lastDay}T00:00:00Z`))}`);
  await confirm.getByRole('button', { name: 'Confirm grant' }).click();
  await expect(confirm).toHaveCount(0);

  const expiresOn = dateFormat.format(new Date(Date.parse(`${lastDay}T00:00:00Z`) + 24 * 60 * 60 * 1000));
  await user.reload();
  await expect(user.getByTestId('credits-next-expiry')).toContainText(`300 credits expire on ${expiresOn}`);
  await userContext.close();
});
