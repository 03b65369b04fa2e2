import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

import { expectBalances, ledgerRow } from './credits-helpers';
import { inboxOf, signInWithEmailLink } from './helpers';

// Issue 14 in the simulator, with the shipped config: promotion codes and invoices on, prices in
// USD and EUR. The simulator accepts TEST10 (10% off) and makes a local invoice page.

const CREDITS_PAGE = '/dashboard/billings/credits';

async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).exclude('.text-success').analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('a buyer pays in euros with a promotion code, and the receipt, history and invoice show the discount', async ({ page }) => {
  const email = `euro-buyer-${Date.now()}@example.com`;
  await signInWithEmailLink(page, email, CREDITS_PAGE);
  await page.getByRole('button', { name: 'Top up', exact: true }).click();
  const modal = page.getByRole('dialog', { name: 'Top up credits' });

  await expect(modal).toContainText('$10.00');
  await modal.getByRole('combobox', { name: 'Currency' }).selectOption('eur');
  await expect(modal).toContainText('€9.00');
  await expect(modal).toContainText('Have a promotion code? Enter it at checkout.');
  await modal.getByRole('button', { name: 'Buy Starter Pack' }).click();

  await page.waitForURL(/\/checkout\/simulator\/cs_sim_/);
  await expect(page.getByTestId('checkout-total')).toHaveText('€9.00');
  await page.getByLabel('Promotion code').fill('NOPE');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText('This code is not valid.')).toBeVisible();
  await page.getByLabel('Promotion code').fill('test10');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('checkout-discount')).toHaveText('−€0.90');
  await expect(page.getByTestId('checkout-total')).toHaveText('€8.10');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Pay €8.10' }).click();

  await page.waitForURL(/billing=success/);
  await expectBalances(page, {
    available: 1100,
    purchased: 1000,
    bonus: 100,
    used: 0,
  });
  const row = ledgerRow(page, 'Purchase: Starter Pack');
  await expect(row).toContainText('+1,000');
  await expect(row).toContainText('€0.90 off');

  let receipt: Awaited<ReturnType<typeof inboxOf>>[number] | undefined;
  await expect
    .poll(async () => {
      receipt = (await inboxOf(email)).find((m) => m.subject === 'Receipt: 1,000 credits added');
      return Boolean(receipt);
    })
    .toBe(true);
  expect(receipt!.text).toContain('−€0.90');
  expect(receipt!.text).toContain('€8.10');

  // The invoice opens in a new tab, as Stripe's hosted invoice page would.
  const [invoice] = await Promise.all([page.context().waitForEvent('page'), row.getByRole('link', { name: 'Invoice' }).click()]);
  await invoice.waitForURL(/\/checkout\/simulator\/invoice\/in_sim_/);
  await expect(invoice.getByRole('heading', { level: 1 })).toContainText('Invoice in_sim_');
  await expect(invoice.getByText('Amount paid')).toBeVisible();
  await expect(invoice.locator('dl')).toContainText('−€0.90');
  await expect(invoice.locator('dl')).toContainText('€8.10');

  // The choice is remembered: the modal opens in euros next time.
  await page.goto(CREDITS_PAGE);
  await page.getByRole('button', { name: 'Top up', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Top up credits' }).getByRole('combobox', { name: 'Currency' })).toHaveValue('eur');
});
