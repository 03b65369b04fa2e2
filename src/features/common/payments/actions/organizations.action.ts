'use server';

import { adminGrantFields } from '@/features/common/payments/admin-grant.schema';
import { z } from 'zod';

import { validatedActionWithAdmin, validatedActionWithUser } from '@/features/common/auth/validated-action';
import { forgetActiveWallet, rememberActiveWallet } from '@/features/common/payments/active-wallet';
import { acceptInvite, inviteToOrganization, revokeInvite } from '@/features/common/payments/service/organizations/invites';
import {
  createOrganization,
  getOrganization,
  removeOrganizationMember,
  setOrganizationMemberCap,
  setOrganizationMemberRole,
  updateOrganization,
} from '@/features/common/payments/service/organizations/organizations.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';

/*
 * The organisation screens' server actions. Each parses its input, then calls a service that checks
 * the caller's role in the same organisation (owners and admins manage; members may only leave), so
 * a member who calls an action directly, without the UI that hides it, gets ORGANIZATION_ROLE_REQUIRED
 * and nothing changes.
 */

const organizationId = z.uuid({ message: 'must be an organization id' });
const memberId = z.string({ message: 'must be a user id' }).trim().min(1, { message: 'choose a member' }).max(255);
const name = z.string({ message: 'is required' }).trim().min(1, { message: 'is required' }).max(100, { message: 'must be at most 100 characters' });
const email = z.email({ message: 'must be an email address' }).max(320);
const role = z.enum(['owner', 'admin', 'member'], { message: 'must be owner, admin or member' });

/** Switches the wallet the signed-in user spends from and looks at: `null` for their own. */
export const selectActiveWallet = validatedActionWithUser(z.object({ organizationId: organizationId.nullable() }), async (input, user) => {
  // Membership first: NOT_ORGANIZATION_MEMBER (and no cookie) for an organisation the user is not in.
  if (input.organizationId) await getOrganization(user.id, input.organizationId);
  await rememberActiveWallet(input.organizationId);
  return { organizationId: input.organizationId };
});

/** Creates an organisation owned by the signed-in user, and makes its wallet the active one. */
export const createOrganizationAction = validatedActionWithUser(
  z.object({ name, billingEmail: email.optional().or(z.literal('').transform(() => undefined)) }),
  async (input, user) => {
    const organization = await createOrganization({ userId: user.id, name: input.name, billingEmail: input.billingEmail ?? null });
    await rememberActiveWallet(organization.id);
    return organization;
  },
);

/** Renames the organisation or changes its billing email. Owners and admins. */
export const updateOrganizationAction = validatedActionWithUser(
  z
    .object({ organizationId, name: name.optional(), billingEmail: email.nullable().optional() })
    .refine((input) => input.name !== undefined || input.billingEmail !== undefined, { message: 'give a name or a billing email to change' }),
  async (input, user) => {
    await updateOrganization({ userId: user.id, ...input });
    return { organizationId: input.organizationId };
  },
);

/** Emails an invitation to join the organisation. Owners and admins; only owners invite owners. */
export const inviteMemberAction = validatedActionWithUser(z.object({ organizationId, email, role: role.default('member') }), async (input, user) =>
  inviteToOrganization({ userId: user.id, ...input }),
);

/** Withdraws a pending invitation. Owners and admins. */
export const revokeInviteAction = validatedActionWithUser(
  z.object({ organizationId, inviteId: z.uuid({ message: 'must be an invitation id' }) }),
  async (input, user) => {
    await revokeInvite({ userId: user.id, ...input });
    return { inviteId: input.inviteId };
  },
);

/** Changes a member's role. Owners and admins; only owners touch owners; the last owner stays one. */
export const setMemberRoleAction = validatedActionWithUser(z.object({ organizationId, memberId, role }), async (input, user) => {
  await setOrganizationMemberRole({ userId: user.id, ...input });
  return { memberId: input.memberId, role: input.role };
});

/** Sets a member's monthly cap on the organisation's wallet, or clears it with `null`. Owners and admins. */
export const setMemberCapAction = validatedActionWithUser(
  z.object({
    organizationId,
    memberId,
    monthlyCap: z
      .number({ message: 'must be a number' })
      .int({ message: 'must be a whole number of credits' })
      .min(0, { message: 'must be zero or more' })
      .max(Number.MAX_SAFE_INTEGER, { message: 'is too large' })
      .nullable(),
  }),
  async (input, user) => {
    await setOrganizationMemberCap({ userId: user.id, ...input });
    return { memberId: input.memberId, monthlyCap: input.monthlyCap };
  },
);

/** Removes a member. Owners and admins (only owners remove owners). */
export const removeMemberAction = validatedActionWithUser(z.object({ organizationId, memberId }), async (input, user) => {
  await removeOrganizationMember({ userId: user.id, ...input });
  return { memberId: input.memberId };
});

/** The signed-in user leaves the organisation (not its last owner); if it was their active wallet, their own becomes it. */
export const leaveOrganizationAction = validatedActionWithUser(z.object({ organizationId }), async (input, user) => {
  await removeOrganizationMember({ userId: user.id, organizationId: input.organizationId, memberId: user.id });
  await forgetActiveWallet(input.organizationId);
  return { organizationId: input.organizationId };
});

/** Accepts an invitation for the signed-in user (whose email must be the one invited) and switches to its wallet. */
export const acceptInviteAction = validatedActionWithUser(z.object({ token: z.string({ message: 'must be a string' }).max(100) }), async (input, user) => {
  const accepted = await acceptInvite({ userId: user.id, token: input.token });
  await rememberActiveWallet(accepted.organizationId);
  return accepted;
});

/** Site admins only: bonus credits to an organisation's wallet, recorded with the admin as actor. */
export const grantOrganizationBonusCredits = validatedActionWithAdmin(z.object({ organizationId, ...adminGrantFields }), async (input, admin) =>
  addCreditsDirectly({
    organizationId: input.organizationId,
    credits: input.credits,
    creditsType: 'bonus',
    reason: input.reason,
    actorId: admin.id,
    idempotencyKey: input.idempotencyKey && `admin-grant:${input.idempotencyKey}`,
  }),
);
