import { expect, type Page } from '@playwright/test';

/** The credits page's history table. */
export function history(page: Page) {
  return page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Balance after' }) });
}

/** The newest history row that mentions `reason`. */
export function ledgerRow(page: Page, reason: string) {
  return history(page).getByRole('row').filter({ hasText: reason }).first();
}

/** Available, purchased, bonus and used, as the balance cards show them. */
export async function expectBalances(page: Page, balances: { available: number; purchased: number; bonus: number; used: number }) {
  for (const [name, value] of Object.entries(balances)) {
    await expect(page.getByTestId(`credits-${name}`)).toHaveText(value.toLocaleString('en-US'));
  }
}

/** Spends credits through the example paid route as the signed-in user, `runs` times at 10 credits each. */
export async function spendThroughApi(page: Page, runs: number) {
  for (let run = 0; run < runs; run++) {
    const response = await page.request.post('/api/examples/generate', { data: { prompt: `setup run ${run}` } });
    expect(response.status()).toBe(200);
  }
}
