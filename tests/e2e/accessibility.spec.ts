import { expect, test } from '@playwright/test';

import { spendThroughApi } from './credits-helpers';
import { expectAccessible, PHONE, signInWithEmailLink } from './helpers';

// Axe on every page, on a desktop and on a phone: a few seconds a page, far more on a busy machine.
test.describe.configure({ timeout: 240_000 });

const sizes = [
  ['desktop', { width: 1280, height: 720 }],
  ['phone', PHONE],
] as const;

for (const [size, viewport] of sizes) {
  test.describe(`on a ${size}`, () => {
    test.use({ viewport });

    test('the landing and sign-in pages pass axe', async ({ page }) => {
      await page.goto('/');
      await expectAccessible(page);
      await page.goto('/sign-in');
      await expect(page.getByLabel('Email')).toBeVisible();
      await expectAccessible(page);
    });

    test('a user’s pages pass axe: dashboard, credits, the top-up modal, the checkout simulator and the return', async ({ page }) => {
      await signInWithEmailLink(page, `axe-user-${size}@example.com`);
      await spendThroughApi(page, 1);
      await page.reload();
      await expectAccessible(page);

      await page.goto('/dashboard/billings/credits');
      await expect(page.getByRole('heading', { name: 'History' })).toBeVisible();
      await expectAccessible(page);

      await page.getByRole('button', { name: 'Top up', exact: true }).click();
      const modal = page.getByRole('dialog', { name: 'Top up credits' });
      await expect(modal.getByText('Save 20%')).toBeVisible();
      await expectAccessible(page);

      await modal.getByRole('button', { name: 'Buy Starter Pack' }).click();
      await page.waitForURL(/\/checkout\/simulator\/cs_sim_/);
      await expect(page.getByTestId('checkout-total')).toHaveText('$10.00');
      await expectAccessible(page);

      await page.getByRole('button', { name: 'Pay $10.00' }).click();
      await page.waitForURL(/billing=success/);
      await expect(page.getByTestId('credits-purchased')).toHaveText('1,000');
      await expectAccessible(page);
    });

    test('the admin pages pass axe: admin, credits with a user selected, audit and books', async ({ page }) => {
      await signInWithEmailLink(page, 'a11y-admin@example.com', '/dashboard/admin');
      await expectAccessible(page);

      await page.goto('/dashboard/admin/credits');
      await page.getByRole('link', { name: /a11y-admin@example\.com/ }).click();
      await expect(page.getByRole('heading', { name: 'a11y-admin@example.com' })).toBeVisible();
      await expectAccessible(page);

      await page.goto('/dashboard/admin/audit');
      await expect(page.getByRole('heading', { name: 'Audit', level: 1 })).toBeVisible();
      await expectAccessible(page);

      await page.goto('/dashboard/admin/books');
      await expect(page.getByRole('heading', { name: 'Books', level: 1 })).toBeVisible();
      await expectAccessible(page);
    });
  });
}

test('a table squeezed narrower than its columns scrolls in a frame a keyboard can reach and scroll', async ({ page }) => {
  await signInWithEmailLink(page, 'axe-narrow-table@example.com', '/dashboard/billings/credits');
  const history = page.getByRole('table', { name: 'Credit history, newest first' });
  await expect(page.getByRole('region', { name: /scrolls sideways/ })).toHaveCount(0);

  // Wider than a phone, so still a table; its card made narrower than its five columns.
  await history.evaluate((table) => ((table.parentElement!.parentElement as HTMLElement).style.width = '320px'));

  const frame = page.getByRole('region', { name: 'Credit history, newest first (scrolls sideways)' });
  await expect(frame).toHaveAttribute('tabindex', '0');
  await frame.focus();
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => frame.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
  await expectAccessible(page);
});

test('every page names an icon the server serves, so the browser asks for no missing /favicon.ico', async ({ page, request }) => {
  const missing: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 404) missing.push(new URL(response.url()).pathname);
  });
  await page.goto('/');
  const href = await page.locator('link[rel="icon"]').first().getAttribute('href');
  expect(href).toMatch(/^\/icon\.svg/);
  const icon = await request.get(href!);
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toContain('image/svg+xml');
  await page.goto('/sign-in');
  expect(missing).toEqual([]);
});
