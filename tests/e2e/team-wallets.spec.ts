import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

import { callServerAction, inboxOf, signInWithEmailLink } from './helpers';

// Two people, two browsers: an owner who creates an organisation, buys credits for it and caps a
// member; the member, who joins through the emailed invitation, spends from the shared wallet and is
// told why when the cap stops them.
test.describe.configure({ timeout: 360_000 });

const OWNER = 'team-owner@example.com';
const MEMBER = 'team-member@example.com';

/** No serious or critical axe violations on the page as it is now. */
async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page }).exclude('.text-success').analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** The invitation link in the newest invitation email to `email`, waiting for it to arrive. */
async function inviteLinkFor(email: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(async () => {
      const [invite] = (await inboxOf(email)).filter((message) => message.subject.startsWith('Join '));
      link = invite && [...invite.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!).find((href) => href.includes('/invites/'));
      return link;
    })
    .toBeDefined();
  return new URL(link!).pathname;
}

test('an owner funds a team wallet, a member joins by invitation, spends from it and hits their cap', async ({ page: owner, browser, baseURL }) => {
  // The owner creates the organisation: its wallet becomes the active one.
  await signInWithEmailLink(owner, OWNER, '/dashboard/organizations');
  await expectAccessible(owner);
  await owner.getByLabel('Organization name').fill('Acme Research');
  await owner.getByRole('button', { name: 'Create organization' }).click();
  await owner.waitForURL(/\/dashboard\/organizations\/[0-9a-f-]{36}\/members$/);
  const organizationId = /organizations\/([0-9a-f-]{36})/.exec(owner.url())![1]!;
  await expect(owner.getByTestId('wallet-switcher')).toHaveValue(organizationId);
  await expect(owner.getByTestId('header-credits')).toHaveText('0');

  // …invites a member by email.
  await owner.getByLabel('Email address').fill(MEMBER);
  await owner.getByRole('button', { name: 'Send invitation' }).click();
  await expect(owner.getByRole('status').filter({ hasText: `Invitation sent to ${MEMBER}` })).toBeVisible();
  await expect(owner.getByRole('list', { name: 'Pending invitations' })).toContainText(MEMBER);
  await expectAccessible(owner);
  const invitePath = await inviteLinkFor(MEMBER);

  // …and buys the Starter Pack for it in the payments simulator.
  await owner.getByRole('link', { name: 'Credits', exact: true }).click();
  await expect(owner.getByRole('heading', { name: 'Acme Research credits' })).toBeVisible();
  await owner.getByRole('button', { name: 'Top up', exact: true }).click();
  const modal = owner.getByRole('dialog', { name: 'Top up credits' });
  await expect(modal).toContainText('the organization’s shared wallet');
  await modal.getByRole('button', { name: 'Buy Starter Pack' }).click();
  await owner.waitForURL(/\/checkout\/simulator\/cs_sim_/);
  await owner.getByRole('button', { name: 'Pay $10.00' }).click();
  await owner.waitForURL(/billing=success/);
  await expect(owner.getByTestId('header-credits')).toHaveText('1,000');
  await expectAccessible(owner);

  // The member opens the link, signs in as the invited address, and joins.
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await member.goto(invitePath);
  await expect(member.getByRole('heading', { name: 'Join Acme Research' })).toBeVisible();
  await expectAccessible(member);
  await expect(member.getByRole('link', { name: 'Sign in to accept' })).toBeVisible();
  await signInWithEmailLink(member, MEMBER, invitePath);
  await member.getByRole('button', { name: 'Join Acme Research' }).click();
  await member.waitForURL(`**/dashboard/organizations/${organizationId}`);
  await expect(member.getByTestId('wallet-switcher')).toHaveValue(organizationId);
  await expect(member.getByTestId('header-credits')).toHaveText('1,000');

  // The owner caps the member at 15 credits a month.
  await owner.goto(`/dashboard/organizations/${organizationId}/members`);
  await owner.getByLabel(`Monthly cap for ${MEMBER}`).fill('15');
  await owner.getByRole('button', { name: `Save the cap for ${MEMBER}` }).click();
  await expect(owner.getByText(`Cap for ${MEMBER} set to 15 credits a month`)).toBeVisible();

  // The member spends 10 from the shared wallet; their own 100 sign-up credits stay untouched.
  await member.goto('/dashboard');
  await member.getByRole('button', { name: 'Run generation — 10 credits' }).click();
  await expect(member.getByTestId('generation-output')).toBeVisible();
  await expect(member.getByTestId('header-credits')).toHaveText('990');

  // A second run would pass the cap: refused, with the reason.
  await member.getByRole('button', { name: 'Run generation — 10 credits' }).click();
  await expect(member.getByTestId('generation-error')).toContainText(
    'You have reached your monthly cap on this organization’s wallet: 10 of your 15 credits used this month, and this needs 10.',
  );
  await expect(member.getByTestId('header-credits')).toHaveText('990');
  await expectAccessible(member);

  // The organisation's page shows each member's use against their cap.
  await member.goto(`/dashboard/organizations/${organizationId}`);
  const row = member.getByTestId('member-usage-row').filter({ hasText: MEMBER });
  await expect(row).toContainText('10');
  await expect(row).toContainText('15');
  await expectAccessible(member);

  // The member's own wallet is still there, untouched.
  await member.getByTestId('wallet-switcher').selectOption({ label: 'Personal wallet' });
  await expect(member.getByTestId('header-credits')).toHaveText('100');

  // Calling the owners' actions directly does not work for a member either.
  const capAnswer = await callServerAction(member, baseURL!, { file: 'organizations.action.ts', name: 'setMemberCapAction' }, [
    { organizationId, memberId: 'anyone', monthlyCap: null },
  ]);
  expect(capAnswer).toContain('"code":"ORGANIZATION_ROLE_REQUIRED"');
  const buyAnswer = await callServerAction(member, baseURL!, { file: 'start-checkout.action.ts', name: 'startCreditsCheckout' }, [
    { packageId: 'starter', successUrl: '/dashboard', cancelUrl: '/dashboard', organizationId },
  ]);
  expect(buyAnswer).toContain('"code":"ORGANIZATION_ROLE_REQUIRED"');

  // A used invitation says so.
  await member.goto(invitePath);
  await expect(member.getByText('This invitation was already accepted.')).toBeVisible();
  await memberContext.close();
});
