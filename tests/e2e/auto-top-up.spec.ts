import { expect, test, type Page } from '@playwright/test';

import { ledgerRow, spendThroughApi } from './credits-helpers';
import { expectAccessible, expectNoSidewaysScroll, expectWithinWidth, inboxOf, PHONE, signInWithEmailLink } from './helpers';

// Auto top-up in simulator mode: the simulator's card page saves a test card (as Stripe's setup page
// would), a deduction that crosses the limit queues a charge that runs just after it, and credits, the
// receipt and the notices arrive through the same webhook, fulfilment and emails as with Stripe.

const CREDITS_PAGE = '/dashboard/billings/credits';
const DECLINED = 'Your automatic top-up was declined';

// Each test signs in, goes through the simulator and waits for charges and emails.
test.describe.configure({ timeout: 90_000 });

function autoTopUp(page: Page) {
  return page.locator('#auto-top-up');
}

/** From the credits page: "Save a card" → the simulator's card page → save `card` → back on the credits page. */
async function saveTestCard(page: Page, card: string, { checkAccessible = false } = {}) {
  await autoTopUp(page).getByRole('button', { name: 'Save a card' }).click();
  await page.waitForURL((url) => url.pathname === '/checkout/simulator/card');
  await expect(page.getByText('Test mode · payments simulator')).toBeVisible();
  await expect(page.getByTestId('simulator-saved-card')).toHaveText('No card saved yet.');
  if (checkAccessible) await expectAccessible(page);
  await page.getByRole('radio', { name: card }).check();
  await page.getByRole('button', { name: 'Save card' }).click();
  await page.waitForURL((url) => url.pathname === CREDITS_PAGE);
  await expect(autoTopUp(page).getByRole('status').filter({ hasText: 'Card saved.' })).toBeVisible();
}

/** Fills in the sentence: below `threshold` credits, buy the Starter Pack, at most `times` a month. */
async function fillSettings(page: Page, threshold: number, times: number) {
  const section = autoTopUp(page);
  await section.getByLabel('When my balance falls below').fill(String(threshold));
  await section.getByLabel('buy this pack').selectOption({ label: 'Starter Pack: 1,000 credits, $10.00' });
  await section.getByLabel('at most this many top-ups a month').fill(String(times));
}

function declinedNotices(email: string) {
  return async () => (await inboxOf(email)).filter((message) => message.subject === DECLINED).length;
}

test('a user saves a card, turns auto top-up on for the amount shown, spends below the limit and the pack and its receipt arrive', async ({ page }) => {
  const email = 'auto-top-up@example.com';
  await signInWithEmailLink(page, email, CREDITS_PAGE);
  const section = autoTopUp(page);
  await expect(section.getByRole('heading', { name: 'Auto top-up' })).toBeVisible();
  await expect(section.getByTestId('auto-top-up-status')).toHaveText('Off: no automatic charges.');
  await expect(section.getByTestId('auto-top-up-card')).toContainText('No card saved.');
  await expect(section.getByRole('button', { name: 'Turn on auto top-up' })).toBeDisabled();

  await saveTestCard(page, 'Visa •••• 4242 — Payments succeed', { checkAccessible: true });
  await expect(section.getByTestId('auto-top-up-card')).toHaveText('Visa •••• 4242, expires 12/2034');
  await expect(section.getByRole('button', { name: 'Manage payment methods' })).toBeVisible();

  // The exact amount, and the most a month can cost, are on the page before it is turned on.
  await fillSettings(page, 95, 3);
  await expect(section.getByTestId('auto-top-up-amount')).toHaveText('Each top-up charges $10.00 to Visa •••• 4242 — at most $30.00 a month.');
  await section.getByLabel('at most this many top-ups a month').fill('2');
  await expect(section.getByTestId('auto-top-up-amount')).toHaveText('Each top-up charges $10.00 to Visa •••• 4242 — at most $20.00 a month.');
  await section.getByLabel('at most this many top-ups a month').fill('3');
  await section.getByRole('button', { name: 'Turn on auto top-up' }).click();
  await expect(section.getByRole('status').filter({ hasText: 'Auto top-up is on.' })).toBeVisible();
  await expect(section.getByTestId('auto-top-up-status')).toHaveText(
    'On: when the balance falls below 95 credits, auto top-up buys Starter Pack (1,000 credits) for $10.00 to Visa •••• 4242, at most 3 times a month. This month: 0 of 3 used.',
  );
  await expect(section.getByRole('button', { name: 'Save changes' })).toBeVisible();
  await expectAccessible(page);

  // The sign-up bonus is 100 credits and a run costs 10: one run takes the balance to 90, below 95.
  await spendThroughApi(page, 1);
  // The charge runs just after the deduction; reload until the page (read on the server) has its credits.
  await expect
    .poll(
      async () => {
        await page.reload();
        return ledgerRow(page, 'Auto top-up: Starter Pack').count();
      },
      { timeout: 20_000 },
    )
    .toBe(1);
  await expect(ledgerRow(page, 'Auto top-up: Starter Pack')).toContainText('+1,000');
  await expect(page.getByTestId('credits-available')).toHaveText('1,090');
  await expect(section.getByTestId('auto-top-up-status')).toContainText('This month: 1 of 3 used.');
  await expect
    .poll(async () => (await inboxOf(email)).filter((message) => message.subject.startsWith('Receipt:')).map((message) => message.subject), { timeout: 15_000 })
    .toEqual(['Receipt: 1,000 credits added']);
  const [receipt] = (await inboxOf(email)).filter((message) => message.subject.startsWith('Receipt:'));
  expect(receipt!.text).toContain('auto top-up');

  // Spending more stays above the limit now: no second charge.
  await spendThroughApi(page, 1);
  await page.waitForTimeout(1500);
  await page.reload();
  await expect(section.getByTestId('auto-top-up-status')).toContainText('This month: 1 of 3 used.');

  // On a phone the card's sentence and buttons fit the window.
  await page.setViewportSize(PHONE);
  await expectNoSidewaysScroll(page);
  await expectWithinWidth(section.getByLabel('buy this pack'));
  await expectWithinWidth(section.getByRole('button', { name: 'Save changes' }));
  await expectWithinWidth(section.getByRole('button', { name: 'Manage payment methods' }));

  await page.setViewportSize({ width: 1280, height: 720 });

  // Removing the card (the simulator's stand-in for Stripe's portal) pauses auto top-up, and says so.
  await section.getByRole('button', { name: 'Manage payment methods' }).click();
  await page.waitForURL((url) => url.pathname === '/checkout/simulator/card');
  await expect(page.getByTestId('simulator-saved-card')).toHaveText('Saved card: Visa •••• 4242, expires 12/2034');
  await page.getByRole('button', { name: 'Remove card' }).click();
  await expect(page.getByRole('status')).toContainText('Card removed.');
  await expect(page.getByTestId('simulator-saved-card')).toHaveText('No card saved yet.');
  await page.getByRole('link', { name: 'Back to credits' }).click();
  await page.waitForURL((url) => url.pathname === CREDITS_PAGE);
  await expect(section.getByTestId('auto-top-up-status')).toHaveText('Paused: the saved card was removed. Save a card and turn auto top-up on again.');
  await expect(section.getByTestId('auto-top-up-card')).toContainText('No card saved.');
  await expect
    .poll(async () => (await inboxOf(email)).filter((message) => message.subject === 'Auto top-up is paused: no card saved').length, { timeout: 15_000 })
    .toBe(1);

  await section.getByRole('button', { name: 'Turn off auto top-up' }).click();
  await expect(section.getByTestId('auto-top-up-status')).toHaveText('Off: no automatic charges.');
});

test('a declined card: each failed charge is emailed, and after two in a row auto top-up pauses and the page says so', async ({ page }) => {
  const email = 'auto-top-up-declined@example.com';
  await signInWithEmailLink(page, email, CREDITS_PAGE);
  const section = autoTopUp(page);
  await saveTestCard(page, 'Visa •••• 0002 — Payments are declined');
  await expect(section.getByTestId('auto-top-up-card')).toHaveText('Visa •••• 0002, expires 12/2034');

  // A limit above the balance (100): turning it on charges at once, and the bank declines.
  await fillSettings(page, 1085, 3);
  await expect(section.getByTestId('auto-top-up-amount')).toHaveText('Each top-up charges $10.00 to Visa •••• 0002 — at most $30.00 a month.');
  await section.getByRole('button', { name: 'Turn on auto top-up' }).click();
  await expect(section.getByRole('status').filter({ hasText: 'Auto top-up is on.' })).toContainText('the first top-up is being charged now');
  await expect.poll(declinedNotices(email), { timeout: 15_000 }).toBe(1);
  await page.reload();
  await expect(section.getByTestId('auto-top-up-status')).toContainText('This month: 0 of 3 used.');
  await expect(section.getByTestId('auto-top-up-last-failure')).toContainText('Your card was declined.');

  // Spending while already below the limit is no new crossing: nothing is charged, nobody is emailed.
  await spendThroughApi(page, 1);
  await page.waitForTimeout(1500);
  expect(await declinedNotices(email)()).toBe(1);

  // A pack bought by hand lifts the balance above the limit (90 + 1,000 = 1,090); one run takes it below again (1,080).
  await page.getByRole('button', { name: 'Buy Starter Pack' }).click();
  await page.waitForURL(/\/checkout\/simulator\/cs_sim_/);
  await page.getByRole('button', { name: 'Pay $10.00' }).click();
  await page.waitForURL(/billing=success/);
  await expect(page.getByTestId('credits-available')).toHaveText('1,090');
  await spendThroughApi(page, 1);
  await expect.poll(declinedNotices(email), { timeout: 15_000 }).toBe(2);

  // Two failures in a row: paused, and the page says why and what to do.
  await page.reload();
  await expect(section.getByTestId('auto-top-up-status')).toHaveText(
    'Paused: the last two automatic charges failed (Your card was declined.). Update the card or turn it on again.',
  );
  await expect(section.getByRole('button', { name: 'Turn on auto top-up' })).toBeEnabled();
  await expect(page.getByTestId('credits-available')).toHaveText('1,080');
  // Paused: a further crossing charges nothing (the balance is below the limit anyway, and stays there).
  await spendThroughApi(page, 1);
  await page.waitForTimeout(1500);
  expect(await declinedNotices(email)()).toBe(2);
});
