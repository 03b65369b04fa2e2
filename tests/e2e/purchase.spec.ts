import { expect, test, type Page } from '@playwright/test';

import { expectBalances, ledgerRow, spendThroughApi } from './credits-helpers';
import { callServerAction, inboxOf, signInWithEmailLink } from './helpers';

// Buying through the checkout simulator: the same webhook route, signature check, fulfilment and
// ledger as with Stripe; only the payment page is local.

const CREDITS_PAGE = '/dashboard/billings/credits';

async function payOnSimulator(page: Page, total: string) {
  await page.waitForURL(/\/checkout\/simulator\/cs_sim_/);
  await expect(page.getByText('Test mode · no real payment')).toBeVisible();
  await expect(page.getByTestId('checkout-total')).toHaveText(total);
  await page.getByRole('button', { name: `Pay ${total}` }).click();
}

test('a new user buys the Starter Pack from the dashboard and sees it arrive without reloading', async ({ page }) => {
  await signInWithEmailLink(page, 'first-purchase@example.com');
  await expect(page.getByTestId('dashboard-credits')).toHaveText('100');

  await page.getByRole('button', { name: 'Top up credits' }).click();
  await page.getByRole('dialog', { name: 'Top up credits' }).getByRole('button', { name: 'Buy Starter Pack' }).click();
  await payOnSimulator(page, '$10.00');

  await page.waitForURL(/\/dashboard\?billing=success$/);
  await expect(page.getByTestId('header-credits')).toHaveText('1,100');
  await page.getByRole('link', { name: 'Credits', exact: true }).click();
  await expectBalances(page, { available: 1100, purchased: 1000, bonus: 100, used: 0 });
  await expect(ledgerRow(page, 'Purchase: Starter Pack')).toContainText('+1,000');

  await expect.poll(async () => (await inboxOf('first-purchase@example.com')).filter((m) => m.subject === 'Receipt: 1,000 credits added').length).toBe(1);
});

test('a manual amount is priced on the server and credits exactly what was entered', async ({ page }) => {
  await signInWithEmailLink(page, 'manual-buyer@example.com', CREDITS_PAGE);

  await page.getByRole('button', { name: 'Top up', exact: true }).click();
  const modal = page.getByRole('dialog', { name: 'Top up credits' });
  await modal.getByLabel('Or enter a number of credits').fill('1234');
  await expect(modal).toContainText('$12.34');
  await modal.getByRole('button', { name: 'Buy 1,234 credits' }).click();
  await payOnSimulator(page, '$12.34');

  await page.waitForURL(/billing=success/);
  await expectBalances(page, { available: 1334, purchased: 1234, bonus: 100, used: 0 });
});

test('the server refuses a manual amount under the minimum even when the modal is bypassed', async ({ page, baseURL }) => {
  await signInWithEmailLink(page, 'bypasser@example.com', CREDITS_PAGE);

  const answer = await callServerAction(page, baseURL!, { file: 'start-checkout.action.ts', name: 'startCreditsCheckout' }, [
    { credits: 49, successUrl: `${CREDITS_PAGE}?billing=success`, cancelUrl: `${CREDITS_PAGE}?billing=cancel` },
  ]);

  expect(answer).toContain('"code":"TOP_UP_OUT_OF_RANGE"');
  expect(answer).toContain('A top-up must be between 50 and 1000000 credits, not 49');
});

test('the server refuses return URLs on another site', async ({ page, baseURL }) => {
  await signInWithEmailLink(page, 'redirected@example.com', CREDITS_PAGE);

  const answer = await callServerAction(page, baseURL!, { file: 'start-checkout.action.ts', name: 'startCreditsCheckout' }, [
    { packageId: 'starter', successUrl: 'https://evil.example/phish', cancelUrl: `${CREDITS_PAGE}?billing=cancel` },
  ]);

  expect(answer).toContain('"code":"INVALID_RETURN_URL"');
});

test('cancelling checkout returns with ?billing=cancel and changes nothing', async ({ page }) => {
  await signInWithEmailLink(page, 'changed-mind@example.com', CREDITS_PAGE);

  await page.getByRole('button', { name: 'Buy Pro Pack' }).first().click();
  await page.waitForURL(/\/checkout\/simulator\//);
  await page.getByRole('link', { name: 'Cancel' }).click();

  await page.waitForURL(/billing=cancel/);
  await expect(page.getByRole('status').filter({ hasText: 'Checkout cancelled' })).toBeVisible();
  await expectBalances(page, { available: 100, purchased: 0, bonus: 100, used: 0 });
  await expect(ledgerRow(page, 'Purchase')).toHaveCount(0);
});

test('the demo spends bonus credits first, then purchased ones', async ({ page }) => {
  await signInWithEmailLink(page, 'bonus-then-paid@example.com');
  await page.getByRole('button', { name: 'Top up credits' }).click();
  await page.getByRole('dialog', { name: 'Top up credits' }).getByRole('button', { name: 'Buy Starter Pack' }).click();
  await payOnSimulator(page, '$10.00');
  await page.waitForURL(/billing=success/);
  await expect(page.getByTestId('header-credits')).toHaveText('1,100');

  // 100 bonus credits cover ten runs; the eleventh is paid from purchased credits.
  await spendThroughApi(page, 10);
  await page.reload();
  await page.getByRole('button', { name: 'Run generation — 10 credits' }).click();
  await expect(page.getByTestId('dashboard-credits')).toHaveText('990');

  await page.goto(CREDITS_PAGE);
  await expectBalances(page, { available: 990, purchased: 990, bonus: 0, used: 110 });
  await expect(ledgerRow(page, 'Run generation')).toContainText('10 purchased');
});
