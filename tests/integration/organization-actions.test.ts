import { eq } from 'drizzle-orm';
import { beforeAll, afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { getSessionUser, type SessionUser } from '@/features/common/auth/session';
import { ACTIVE_WALLET_COOKIE, getActiveWallet } from '@/features/common/payments/active-wallet';
import { getMyCredits } from '@/features/common/payments/actions/get-my-credits.action';
import {
  acceptInviteAction,
  createOrganizationAction,
  grantOrganizationBonusCredits,
  inviteMemberAction,
  leaveOrganizationAction,
  removeMemberAction,
  revokeInviteAction,
  selectActiveWallet,
  setMemberCapAction,
  setMemberRoleAction,
} from '@/features/common/payments/actions/organizations.action';
import { startCreditsCheckout } from '@/features/common/payments/actions/start-checkout.action';
import { getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { listPendingInvites } from '@/features/common/payments/service/organizations/invites';
import { addOrganizationMember, createOrganization, listOrganizationMembers } from '@/features/common/payments/service/organizations/organizations.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { handleGenerateRequest } from '@/features/examples/generation/generate-handler';
import { handleStreamRequest } from '@/features/examples/streaming/stream-answer';
import { getDb } from '@/shared/db/client';
import { creditPurchases } from '@/shared/db/schema';
import { listOutboxEmails } from '@/shared/email/outbox';
import { createUser, expectLedgerMatchesBalances, ledgerOf } from '../helpers/factories';
import { startStripeServer } from '../helpers/stripe-server';
import { setupTestDatabase } from '../helpers/test-database';

/*
 * Team wallets at the edge: every organisation server action and the paid example routes, called as
 * a browser would call them. Roles are enforced here, not only by hiding buttons: a member who calls
 * an owner's action directly is refused and nothing changes.
 */

// The session and the cookie jar come from Next's request context, which a test does not have.
const jar = new Map<string, string>();
vi.mock('@/features/common/auth/session', () => ({ getSessionUser: vi.fn() }));
vi.mock('next/headers', () => ({
  cookies: async () => ({
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)! } : undefined),
    set: (name: string, value: string) => void jar.set(name, value),
    delete: (name: string) => void jar.delete(name),
  }),
  headers: async () => new Headers(),
}));

setupTestDatabase();

let stripe: Awaited<ReturnType<typeof startStripeServer>>;
beforeAll(async () => {
  stripe = await startStripeServer();
});
afterAll(() => stripe.close());
beforeEach(() => {
  jar.clear();
  signInAs(null);
});
afterEach(async () => {
  await expectLedgerMatchesBalances();
});

type TestUser = Awaited<ReturnType<typeof createUser>>;

function signInAs(user: TestUser | null) {
  vi.mocked(getSessionUser).mockResolvedValue(user && { id: user.id, email: user.email, role: user.role as SessionUser['role'], name: null });
}

/** An organisation with an owner, an admin and a plain member, and `credits` purchased credits. */
async function team(credits = 0) {
  const [owner, admin, member, outsider] = [await createUser(), await createUser(), await createUser(), await createUser()];
  const { id: organizationId } = await createOrganization({ userId: owner.id, name: 'Initech' });
  await addOrganizationMember({ organizationId, memberId: admin.id, role: 'admin' }, { userId: owner.id });
  await addOrganizationMember({ organizationId, memberId: member.id }, { userId: owner.id });
  if (credits) await addCreditsDirectly({ organizationId, credits, creditsType: 'purchased', reason: 'Team pack' });
  return { owner, admin, member, outsider, organizationId };
}

const membersOf = async (organizationId: string, viewerId: string) =>
  Object.fromEntries((await listOrganizationMembers(viewerId, organizationId)).map((m) => [m.userId, m]));

const checkout = { packageId: 'starter', successUrl: '/dashboard?billing=success', cancelUrl: '/dashboard?billing=cancel' };

describe('a plain member, calling the actions directly', () => {
  it('cannot buy credits for the organisation: refused, no purchase created', async () => {
    const { member, organizationId } = await team();
    signInAs(member);
    expect(await startCreditsCheckout({ ...checkout, organizationId })).toMatchObject({ ok: false, error: { code: 'ORGANIZATION_ROLE_REQUIRED' } });
    const db = await getDb();
    expect(
      await db
        .select()
        .from(creditPurchases)
        .where(eq(creditPurchases.walletId, `org:${organizationId}`)),
    ).toEqual([]);
  });

  it('cannot set caps, change roles, invite or remove anyone', async () => {
    const { owner, admin, member, organizationId } = await team();
    signInAs(member);
    const refused = { ok: false, error: { code: 'ORGANIZATION_ROLE_REQUIRED' } };
    expect(await setMemberCapAction({ organizationId, memberId: member.id, monthlyCap: 1_000_000 })).toMatchObject(refused);
    expect(await setMemberCapAction({ organizationId, memberId: admin.id, monthlyCap: 0 })).toMatchObject(refused);
    expect(await setMemberRoleAction({ organizationId, memberId: member.id, role: 'admin' })).toMatchObject(refused);
    expect(await inviteMemberAction({ organizationId, email: 'member.invites.friend@example.com' })).toMatchObject(refused);
    expect(await removeMemberAction({ organizationId, memberId: admin.id })).toMatchObject(refused);

    const members = await membersOf(organizationId, owner.id);
    expect(members[member.id]).toMatchObject({ role: 'member', monthlyCap: null });
    expect(members[admin.id]).toMatchObject({ role: 'admin', monthlyCap: null });
    expect(await listOutboxEmails({ to: 'member.invites.friend@example.com' })).toEqual([]);
  });

  it('may leave, which switches them back to their own wallet', async () => {
    const { owner, member, organizationId } = await team();
    signInAs(member);
    jar.set(ACTIVE_WALLET_COOKIE, organizationId);
    expect(await leaveOrganizationAction({ organizationId })).toMatchObject({ ok: true });
    expect(jar.has(ACTIVE_WALLET_COOKIE)).toBe(false);
    expect(Object.keys(await membersOf(organizationId, owner.id))).not.toContain(member.id);
  });
});

describe('owners and admins', () => {
  it('an admin sets and clears a member’s cap', async () => {
    const { admin, member, organizationId } = await team();
    signInAs(admin);
    expect(await setMemberCapAction({ organizationId, memberId: member.id, monthlyCap: 30 })).toEqual({
      ok: true,
      data: { memberId: member.id, monthlyCap: 30 },
    });
    expect((await membersOf(organizationId, admin.id))[member.id]!.monthlyCap).toBe(30);
    expect(await setMemberCapAction({ organizationId, memberId: member.id, monthlyCap: null })).toMatchObject({ ok: true });
    expect((await membersOf(organizationId, admin.id))[member.id]!.monthlyCap).toBeNull();
  });

  it('an admin cannot make an owner, nor remove one', async () => {
    const { owner, admin, member, organizationId } = await team();
    signInAs(admin);
    expect(await setMemberRoleAction({ organizationId, memberId: member.id, role: 'owner' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await removeMemberAction({ organizationId, memberId: owner.id })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((await membersOf(organizationId, owner.id))[owner.id]!.role).toBe('owner');
  });

  it('an owner buys for the organisation: the checkout is for its wallet', async () => {
    const { owner, organizationId } = await team();
    signInAs(owner);
    const result = await startCreditsCheckout({ ...checkout, organizationId });
    expect(result).toMatchObject({ ok: true, data: { url: expect.any(String) } });
    const db = await getDb();
    expect(
      await db
        .select({ walletId: creditPurchases.walletId, userId: creditPurchases.userId })
        .from(creditPurchases)
        .where(eq(creditPurchases.walletId, `org:${organizationId}`)),
    ).toEqual([{ walletId: `org:${organizationId}`, userId: owner.id }]);
  });

  it('the last owner cannot leave', async () => {
    const { owner, organizationId } = await team();
    signInAs(owner);
    expect(await leaveOrganizationAction({ organizationId })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('creating, inviting and accepting', () => {
  it('creates an organisation owned by the caller and makes it the active wallet', async () => {
    const user = await createUser();
    signInAs(user);
    const result = await createOrganizationAction({ name: '  Hooli ', billingEmail: '' });
    expect(result).toMatchObject({ ok: true, data: { name: 'Hooli', role: 'owner' } });
    const organizationId = result.ok ? result.data.id : '';
    expect(jar.get(ACTIVE_WALLET_COOKIE)).toBe(organizationId);
    expect((await getActiveWallet(user.id)).organization).toMatchObject({ id: organizationId, role: 'owner' });
  });

  it('invites by email; the invited user accepts through the link and joins as the invited role', async () => {
    const { owner, organizationId } = await team();
    const invitee = await createUser({ email: 'new.hire@example.com' });
    signInAs(owner);
    expect(await inviteMemberAction({ organizationId, email: 'New.Hire@example.com', role: 'admin' })).toMatchObject({ ok: true });
    const [email] = await listOutboxEmails({ to: 'new.hire@example.com' });
    const token = /\/invites\/([A-Za-z0-9_-]{43})/.exec(email!.text)?.[1];
    expect(token).toBeDefined();

    signInAs(invitee);
    expect(await acceptInviteAction({ token: token! })).toEqual({ ok: true, data: { organizationId } });
    expect(jar.get(ACTIVE_WALLET_COOKIE)).toBe(organizationId);
    expect((await membersOf(organizationId, owner.id))[invitee.id]).toMatchObject({ role: 'admin' });

    // Used once: the same link again says so.
    expect(await acceptInviteAction({ token: token! })).toMatchObject({ ok: false, error: { code: 'INVITE_UNUSABLE', details: { problem: 'accepted' } } });
  });

  it('refuses an invitation for someone else’s address', async () => {
    const { owner, outsider, organizationId } = await team();
    signInAs(owner);
    await inviteMemberAction({ organizationId, email: 'someone.else@example.com' });
    const [email] = await listOutboxEmails({ to: 'someone.else@example.com' });
    const token = /\/invites\/([A-Za-z0-9_-]{43})/.exec(email!.text)![1]!;
    signInAs(outsider);
    expect(await acceptInviteAction({ token })).toMatchObject({ ok: false, error: { code: 'INVITE_UNUSABLE', details: { problem: 'wrong_email' } } });
  });

  it('revokes a pending invitation', async () => {
    const { owner, organizationId } = await team();
    signInAs(owner);
    const invited = await inviteMemberAction({ organizationId, email: 'maybe@example.com' });
    const inviteId = invited.ok ? invited.data.inviteId : '';
    expect(await revokeInviteAction({ organizationId, inviteId })).toMatchObject({ ok: true });
    expect(await listPendingInvites(owner.id, organizationId)).toEqual([]);
  });
});

describe('the active wallet', () => {
  it('switches to an organisation the user belongs to, and back', async () => {
    const { member, organizationId } = await team(50);
    signInAs(member);
    expect(await selectActiveWallet({ organizationId })).toEqual({ ok: true, data: { organizationId } });
    expect((await getActiveWallet(member.id)).organization?.id).toBe(organizationId);
    expect(await getMyCredits({ organizationId })).toMatchObject({ ok: true, data: { creditsBalance: 50 } });
    expect(await selectActiveWallet({ organizationId: null })).toMatchObject({ ok: true });
    expect((await getActiveWallet(member.id)).organization).toBeNull();
  });

  it('refuses to switch to an organisation the user is not in, and sets no cookie', async () => {
    const { outsider, organizationId } = await team();
    signInAs(outsider);
    expect(await selectActiveWallet({ organizationId })).toMatchObject({ ok: false, error: { code: 'NOT_ORGANIZATION_MEMBER' } });
    expect(jar.has(ACTIVE_WALLET_COOKIE)).toBe(false);
    expect(await getMyCredits({ organizationId })).toMatchObject({ ok: false, error: { code: 'NOT_ORGANIZATION_MEMBER' } });
  });

  it('reads a forged cookie for someone else’s organisation as the personal wallet', async () => {
    const { outsider, organizationId } = await team();
    jar.set(ACTIVE_WALLET_COOKIE, organizationId);
    expect((await getActiveWallet(outsider.id)).organization).toBeNull();
    jar.set(ACTIVE_WALLET_COOKIE, 'not-a-uuid');
    expect((await getActiveWallet(outsider.id)).organization).toBeNull();
  });
});

describe('site admins', () => {
  it('grant bonus credits to an organisation, recorded with the admin as actor', async () => {
    const { organizationId } = await team();
    const siteAdmin = await createUser({ role: 'admin' });
    signInAs(siteAdmin);
    expect(await grantOrganizationBonusCredits({ organizationId, credits: 500, reason: 'Pilot' })).toMatchObject({ ok: true, data: { creditsBonus: 500 } });
    expect(await ledgerOf({ organizationId })).toMatchObject([{ type: 'grant', bonusDelta: 500, actorType: 'admin', actorId: siteAdmin.id }]);
  });

  it('an organisation owner who is not a site admin cannot', async () => {
    const { owner, organizationId } = await team();
    signInAs(owner);
    expect(await grantOrganizationBonusCredits({ organizationId, credits: 500, reason: 'Free money' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await ledgerOf({ organizationId })).toEqual([]);
  });
});

function post(path: string, body: unknown) {
  return new Request(`http://localhost:3000${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('the paid example routes', () => {
  it('spend from the active organisation’s wallet, not the member’s own', async () => {
    const { member, organizationId } = await team(100);
    await addCreditsDirectly({ userId: member.id, credits: 100, creditsType: 'bonus', reason: 'Own' });
    const response = await handleGenerateRequest(post('/api/examples/generate', { prompt: 'a fox' }), member.id, organizationId);
    expect(response.status).toBe(200);
    expect(await getCreditsBalance(member.id, { organizationId })).toMatchObject({ creditsBalance: 90 });
    expect(await getCreditsBalance(member.id)).toMatchObject({ creditsBalance: 100 });
  });

  it('spend from the organisation a body names', async () => {
    const { member, organizationId } = await team(100);
    const response = await handleGenerateRequest(post('/api/examples/generate', { prompt: 'a fox', organizationId }), member.id, null);
    expect(response.status).toBe(200);
    expect(await getCreditsBalance(member.id, { organizationId })).toMatchObject({ creditsBalance: 90 });
  });

  it('answer 402 MEMBER_CAP_EXCEEDED at the member’s cap, while others keep spending', async () => {
    const { owner, admin, member, organizationId } = await team(100);
    signInAs(owner);
    await setMemberCapAction({ organizationId, memberId: member.id, monthlyCap: 15 });

    expect((await handleGenerateRequest(post('/api/examples/generate', { prompt: 'one' }), member.id, organizationId)).status).toBe(200);
    const refused = await handleGenerateRequest(post('/api/examples/generate', { prompt: 'two' }), member.id, organizationId);
    expect(refused.status).toBe(402);
    expect(await refused.json()).toMatchObject({
      error: { code: 'MEMBER_CAP_EXCEEDED', message: expect.stringMatching(/cap/i), cap: 15, used: 10, remaining: 5, required: 10 },
    });
    const stream = await handleStreamRequest(post('/api/examples/stream', { prompt: 'tides' }), member.id, organizationId);
    expect(stream.status).toBe(402);
    expect((await handleGenerateRequest(post('/api/examples/generate', { prompt: 'three' }), admin.id, organizationId)).status).toBe(200);
    expect(await getCreditsBalance(owner.id, { organizationId })).toMatchObject({ creditsBalance: 80 });
  });

  it('answer 403 for an organisation the caller is not in, or was removed from, charging nothing', async () => {
    const { owner, member, outsider, organizationId } = await team(100);
    expect((await handleGenerateRequest(post('/api/examples/generate', { prompt: 'x', organizationId }), outsider.id)).status).toBe(403);
    signInAs(owner);
    await removeMemberAction({ organizationId, memberId: member.id });
    expect((await handleGenerateRequest(post('/api/examples/generate', { prompt: 'x', organizationId }), member.id)).status).toBe(403);
    expect((await handleStreamRequest(post('/api/examples/stream', { prompt: 'x', organizationId }), member.id)).status).toBe(403);
    expect(await getCreditsBalance(owner.id, { organizationId })).toMatchObject({ creditsBalance: 100 });
  });
});
