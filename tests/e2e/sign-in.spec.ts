import { expect, test } from '@playwright/test';

import { inboxOf, signInLinkFor, signInWithEmailLink } from './helpers';

test('a new user signs in with the magic link from their inbox and reaches the dashboard', async ({ page }) => {
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fdashboard/);

  await signInWithEmailLink(page, 'new-user@example.com');

  await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible();
  await expect(page.getByTestId('signed-in-as')).toHaveText('new-user@example.com');
});

test('a user who is not an admin gets a 404 for the admin pages', async ({ page }) => {
  await signInWithEmailLink(page, 'not-admin@example.com');
  await expect(page.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0);

  const response = await page.goto('/dashboard/admin');
  expect(response?.status()).toBe(404);
  await expect(page.getByText('This page could not be found.')).toBeVisible();
});

test('an address in ADMIN_EMAILS becomes an admin on sign-in', async ({ page }) => {
  await signInWithEmailLink(page, 'new-admin@example.com');
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Admin' })).toBeVisible();
  await expect(page.getByRole('row', { name: /^new-admin@example.com admin/ })).toBeVisible();
});

test('a bad email address is refused with a message', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(page.locator('#email-error')).toHaveText('Enter a valid email address.');
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
});

test('a sign-in link asked for with a forged X-Forwarded-Host still points at APP_URL', async ({ page, baseURL }) => {
  const email = 'forged-host@example.com';
  // What an attacker sends through a proxy that passes the header on: the form's own request, with
  // the forwarded host (and a matching Origin, which a script can set) of their own site. Sent from
  // the test runner, since a browser does not let a page change its Origin.
  await page.route('**/sign-in**', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const response = await route.fetch({
      headers: { ...route.request().headers(), 'x-forwarded-host': 'attacker.example', 'x-forwarded-proto': 'https', origin: 'https://attacker.example' },
    });
    return route.fulfill({ response });
  });
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  await page.unroute('**/sign-in**');

  const link = await signInLinkFor(email);
  expect(new URL(link).origin).toBe(new URL(baseURL!).origin);
  await page.goto(link);
  await expect(page.getByTestId('signed-in-as')).toHaveText(email);
});

test('Auth.js’s own endpoint also builds the link on APP_URL when the host is forged', async ({ page, baseURL }) => {
  const email = 'forged-endpoint@example.com';
  const { csrfToken } = await (await page.request.get('/api/auth/csrf')).json();
  const response = await page.request.post('/api/auth/signin/email', {
    headers: { 'x-forwarded-host': 'attacker.example', 'x-forwarded-proto': 'https' },
    form: { email, csrfToken, callbackUrl: '/dashboard' },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(302);
  expect(new URL(await signInLinkFor(email)).origin).toBe(new URL(baseURL!).origin);
});

test('asking for too many sign-in links for one address is refused with a message', async ({ page }) => {
  const email = 'bombed@example.com';
  for (let i = 0; i < 5; i++) {
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
  }
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();

  await expect(page.locator('#email-error')).toHaveText(/^Too many sign-in links were requested\. Try again in \d+ minutes?\.$/);
  expect((await inboxOf(email)).length).toBe(5);
});
