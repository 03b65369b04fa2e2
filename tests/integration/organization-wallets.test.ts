import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';

import {
  deductCreditsBonusFirst,
  getCreditsBalance,
  InsufficientCreditsError,
  listCreditTransactions,
  releaseCreditHold,
  reserveCredits,
} from '@/features/common/payments/service/credits-balance.service';
import {
  InvalidCreditsInputError,
  MemberCapExceededError,
  NotOrganizationMemberError,
  OrganizationNotFoundError,
  OrganizationRoleRequiredError,
} from '@/features/common/payments/service/credits-errors';
import { acceptInvite, inviteToOrganization, previewInvite } from '@/features/common/payments/service/organizations/invites';
import {
  addOrganizationMember,
  createOrganization,
  listOrganizationMembers,
  removeOrganizationMember,
  setOrganizationMemberCap,
  setOrganizationMemberRole,
} from '@/features/common/payments/service/organizations/organizations.service';
import { addCreditsDirectly, createCreditsCheckoutSession } from '@/features/common/payments/service/payment.service';
import { listOutboxEmails } from '@/shared/email/outbox';
import { balanceRowOf, createUser, expectLedgerMatchesBalances, ledgerOf } from '../helpers/factories';
import { startStripeServer } from '../helpers/stripe-server';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

setupTestDatabase({ poolSize: 32 });

let stripe: Awaited<ReturnType<typeof startStripeServer>>;
beforeAll(async () => {
  stripe = await startStripeServer();
});
afterAll(() => stripe.close());

afterEach(async () => {
  await expectLedgerMatchesBalances();
});

/** An organisation owned by a new user, with `credits` purchased credits granted to its wallet and `members` plain members. */
async function organizationWith(credits: number, members = 0) {
  const owner = await createUser();
  const organization = await createOrganization({ userId: owner.id, name: 'Globex' });
  if (credits) await addCreditsDirectly({ organizationId: organization.id, credits, creditsType: 'purchased', reason: 'Team pack' });
  const people = [];
  for (let i = 0; i < members; i++) {
    const member = await createUser();
    await addOrganizationMember({ organizationId: organization.id, memberId: member.id }, { userId: owner.id });
    people.push(member);
  }
  return { owner, organizationId: organization.id, members: people };
}

describe(`organisation wallets on ${testDriver}`, () => {
  it('lets a member spend from the organisation’s wallet, bonus first, recorded with the member as actor', async () => {
    const { organizationId, members } = await organizationWith(100, 1);
    await addCreditsDirectly({ organizationId, credits: 10, creditsType: 'bonus', reason: 'Welcome' });
    const member = members[0]!;

    const result = await deductCreditsBonusFirst({ userId: member.id, organizationId, credits: 25, reason: 'Report' });

    expect(result).toMatchObject({ deductedFromBonus: 10, deductedFromPurchased: 15, creditsBalance: 85 });
    expect(await getCreditsBalance(member.id, { organizationId })).toMatchObject({ creditsBalance: 85, creditsUsed: 25 });
    expect(await getCreditsBalance(member.id)).toMatchObject({ creditsBalance: 0, creditsUsed: 0 });
    const [entry] = (await listCreditTransactions(member.id, { organizationId, limit: 1 })).items;
    expect(entry).toMatchObject({ type: 'deduction', actorType: 'user', actorId: member.id });
  });

  it('refuses someone who is not a member, and writes nothing', async () => {
    const { organizationId } = await organizationWith(100);
    const stranger = await createUser();
    await expect(deductCreditsBonusFirst({ userId: stranger.id, organizationId, credits: 1, reason: 'x' })).rejects.toBeInstanceOf(NotOrganizationMemberError);
    await expect(reserveCredits({ userId: stranger.id, organizationId, credits: 1, reason: 'x' })).rejects.toBeInstanceOf(NotOrganizationMemberError);
    await expect(getCreditsBalance(stranger.id, { organizationId })).rejects.toBeInstanceOf(NotOrganizationMemberError);
    expect(await balanceRowOf({ organizationId })).toMatchObject({ purchased: 100, used: 0 });
  });

  it('refuses an organisation that does not exist', async () => {
    const user = await createUser();
    const organizationId = '00000000-0000-4000-8000-000000000001';
    await expect(deductCreditsBonusFirst({ userId: user.id, organizationId, credits: 1, reason: 'x' })).rejects.toBeInstanceOf(OrganizationNotFoundError);
    await expect(addCreditsDirectly({ organizationId, credits: 1, creditsType: 'bonus', reason: 'x' })).rejects.toBeInstanceOf(OrganizationNotFoundError);
  });

  it('stops a removed member from spending at once', async () => {
    const { owner, organizationId, members } = await organizationWith(100, 1);
    const member = members[0]!;
    await deductCreditsBonusFirst({ userId: member.id, organizationId, credits: 5, reason: 'Before' });
    await removeOrganizationMember({ userId: owner.id, organizationId, memberId: member.id });
    await expect(deductCreditsBonusFirst({ userId: member.id, organizationId, credits: 5, reason: 'After' })).rejects.toBeInstanceOf(
      NotOrganizationMemberError,
    );
  });

  it('holds a member to their monthly cap while others keep spending', async () => {
    const { owner, organizationId, members } = await organizationWith(1000, 2);
    const [capped, other] = [members[0]!, members[1]!];
    await setOrganizationMemberCap({ userId: owner.id, organizationId, memberId: capped.id, monthlyCap: 30 });

    await deductCreditsBonusFirst({ userId: capped.id, organizationId, credits: 20, reason: 'One' });
    const error = await deductCreditsBonusFirst({ userId: capped.id, organizationId, credits: 11, reason: 'Two' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MemberCapExceededError);
    expect(error).toMatchObject({ required: 11, cap: 30, used: 20, details: { remaining: 10 } });
    await deductCreditsBonusFirst({ userId: capped.id, organizationId, credits: 10, reason: 'Three' });
    await deductCreditsBonusFirst({ userId: other.id, organizationId, credits: 200, reason: 'Big job' });

    const list = await listOrganizationMembers(owner.id, organizationId);
    expect(list.find((m) => m.userId === capped.id)).toMatchObject({ monthlyCap: 30, usedThisMonth: 30 });
    expect(list.find((m) => m.userId === other.id)).toMatchObject({ monthlyCap: null, usedThisMonth: 200 });
  });

  it('counts a member’s open holds against their cap and gives the room back on release', async () => {
    const { owner, organizationId, members } = await organizationWith(1000, 1);
    const member = members[0]!;
    await setOrganizationMemberCap({ userId: owner.id, organizationId, memberId: member.id, monthlyCap: 30 });
    const { holdId } = await reserveCredits({ userId: member.id, organizationId, credits: 25, reason: 'Job' });
    await expect(deductCreditsBonusFirst({ userId: member.id, organizationId, credits: 6, reason: 'x' })).rejects.toBeInstanceOf(MemberCapExceededError);
    await releaseCreditHold({ userId: member.id, organizationId, holdId });
    await deductCreditsBonusFirst({ userId: member.id, organizationId, credits: 30, reason: 'x' });
  });

  it('lets only owners and admins buy for the organisation or set caps', async () => {
    const { owner, organizationId, members } = await organizationWith(0, 2);
    const [member, admin] = [members[0]!, members[1]!];
    await setOrganizationMemberRole({ userId: owner.id, organizationId, memberId: admin.id, role: 'admin' });
    const urls = { successUrl: 'http://localhost:3000/?billing=success', cancelUrl: 'http://localhost:3000/?billing=cancel' };

    await expect(createCreditsCheckoutSession({ userId: member.id, organizationId, packageId: 'starter' }, urls)).rejects.toBeInstanceOf(
      OrganizationRoleRequiredError,
    );
    await expect(setOrganizationMemberCap({ userId: member.id, organizationId, memberId: member.id, monthlyCap: 1_000 })).rejects.toBeInstanceOf(
      OrganizationRoleRequiredError,
    );
    const session = await createCreditsCheckoutSession({ userId: admin.id, organizationId, packageId: 'starter' }, urls);
    expect(session.url).toBeTruthy();
    expect(stripe.requests.at(-1)?.form).toMatchObject({ 'metadata[organizationId]': organizationId });
  });

  it('keeps at least one owner', async () => {
    const { owner, organizationId } = await organizationWith(0);
    await expect(removeOrganizationMember({ userId: owner.id, organizationId, memberId: owner.id })).rejects.toBeInstanceOf(InvalidCreditsInputError);
    await expect(setOrganizationMemberRole({ userId: owner.id, organizationId, memberId: owner.id, role: 'member' })).rejects.toBeInstanceOf(
      InvalidCreditsInputError,
    );
  });
});

describe(`organisation invitations on ${testDriver}`, () => {
  it('emails a link that makes the invited address a member, once', async () => {
    const { owner, organizationId } = await organizationWith(50);
    const invitee = await createUser({ email: `invitee-${Date.now()}@example.com` });
    await inviteToOrganization({ userId: owner.id, organizationId, email: invitee.email!.toUpperCase(), role: 'member' });

    const [email] = await listOutboxEmails({ to: invitee.email! });
    const link = /https?:\/\/[^"\s]+\/invites\/([A-Za-z0-9_-]{43})/.exec(email!.text);
    expect(link).not.toBeNull();
    const token = link![1]!;
    expect(await previewInvite(token)).toMatchObject({ organizationId, email: invitee.email, role: 'member', problem: null });

    await acceptInvite({ userId: invitee.id, token });
    await deductCreditsBonusFirst({ userId: invitee.id, organizationId, credits: 5, reason: 'First use' });
    await expect(acceptInvite({ userId: invitee.id, token })).rejects.toMatchObject({ code: 'INVITE_UNUSABLE', problem: 'accepted' });
    expect(await ledgerOf({ organizationId })).toHaveLength(2);
  });

  it('admits nobody but the invited address', async () => {
    const { owner, organizationId } = await organizationWith(50);
    await inviteToOrganization({ userId: owner.id, organizationId, email: 'someone@example.com' });
    const [email] = await listOutboxEmails({ to: 'someone@example.com' });
    const token = /\/invites\/([A-Za-z0-9_-]{43})/.exec(email!.text)![1]!;
    const intruder = await createUser();
    await expect(acceptInvite({ userId: intruder.id, token })).rejects.toMatchObject({ problem: 'wrong_email' });
    await expect(acceptInvite({ userId: intruder.id, token: 'x'.repeat(43) })).rejects.toMatchObject({ problem: 'not_found' });
    await expect(deductCreditsBonusFirst({ userId: intruder.id, organizationId, credits: 1, reason: 'x' })).rejects.toBeInstanceOf(NotOrganizationMemberError);
  });

  it('lets only owners and admins invite', async () => {
    const { organizationId, members } = await organizationWith(0, 1);
    await expect(inviteToOrganization({ userId: members[0]!.id, organizationId, email: 'friend@example.com' })).rejects.toBeInstanceOf(
      OrganizationRoleRequiredError,
    );
  });
});

describe(`organisation wallets under concurrency (${testDriver})`, () => {
  it('30 members racing on one wallet never overdraw it', async () => {
    const { organizationId, members } = await organizationWith(500, 30);
    const outcomes = await Promise.allSettled(
      members.flatMap((member, m) =>
        Array.from({ length: 10 }, (_, i) => deductCreditsBonusFirst({ userId: member.id, organizationId, credits: 2, reason: `Member ${m} call ${i}` })),
      ),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientCreditsError);
    expect(outcomes.length - refused.length).toBe(250);
    expect(await balanceRowOf({ organizationId })).toMatchObject({ purchased: 0, used: 500 });
  });

  it('a member firing 50 calls at once cannot pass their cap', async () => {
    const { owner, organizationId, members } = await organizationWith(1000, 1);
    const member = members[0]!;
    await setOrganizationMemberCap({ userId: owner.id, organizationId, memberId: member.id, monthlyCap: 20 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => deductCreditsBonusFirst({ userId: member.id, organizationId, credits: 1, reason: `Call ${i}` })),
    );
    const refused = outcomes.filter((o) => o.status === 'rejected');
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(MemberCapExceededError);
    expect(outcomes.length - refused.length).toBe(20);
    expect((await listOrganizationMembers(owner.id, organizationId))[1]).toMatchObject({ usedThisMonth: 20 });
  });
});
