import { createHash, randomBytes } from 'node:crypto';

import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { z } from 'zod';

import { appConfig } from '@/config/app';
import { env } from '@/config/env';
import { CreditsError, InvalidCreditsInputError } from '@/features/common/payments/service/credits-errors';
import { parseCreditsInput, userIdSchema } from '@/features/common/payments/service/credits-input.schema';
import { MANAGER_ROLES, requireMember } from '@/features/common/payments/service/organizations/membership';
import { getDb } from '@/shared/db/client';
import { organizationInvites, organizationMembers, organizations, users, type OrganizationRole } from '@/shared/db/schema';
import { sendEmail } from '@/shared/email/send-email';
import { OrganizationInviteEmail } from '@/shared/emails/organization-invite';

/*
 * Invitations arrive like a sign-in link: an email with a one-time token. Only its hash is stored,
 * so the table never holds a usable link. Accepting needs a signed-in user whose email is the one
 * invited (a magic-link sign-in proves it), so a forwarded link admits nobody else.
 */

export const INVITE_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

export type InviteProblem = 'not_found' | 'expired' | 'accepted' | 'revoked' | 'wrong_email';

/** The invitation cannot be used: unknown, expired, already accepted, revoked, or for another email. */
export class InviteUnusableError extends CreditsError {
  readonly code = 'INVITE_UNUSABLE';
  constructor(readonly problem: InviteProblem) {
    super(
      {
        not_found: 'This invitation link is not valid.',
        expired: 'This invitation has expired. Ask for a new one.',
        accepted: 'This invitation was already accepted.',
        revoked: 'This invitation was withdrawn.',
        wrong_email: 'This invitation is for another email address. Sign in with the address it was sent to.',
      }[problem],
    );
    this.name = 'InviteUnusableError';
  }

  override get details() {
    return { problem: this.problem };
  }
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

const inviteSchema = z.object({
  userId: userIdSchema.shape.userId,
  organizationId: z.uuid({ message: 'must be an organization id' }),
  email: z
    .email({ message: 'must be an email address' })
    .max(320)
    .transform((value) => value.toLowerCase()),
  role: z.enum(['admin', 'member', 'owner'], { message: 'must be owner, admin or member' }).default('member'),
});

/**
 * Invites `email` to the organisation with `role` and emails them the link. Owners and admins only;
 * only owners invite owners. Inviting an address again replaces its pending invitation.
 */
export async function inviteToOrganization(input: z.input<typeof inviteSchema>): Promise<{ inviteId: string; expiresAt: Date }> {
  const parsed = parseCreditsInput(inviteSchema, input);
  const db = await getDb();
  const inviterRole = await requireMember(db, parsed.organizationId, parsed.userId, MANAGER_ROLES);
  if (parsed.role === 'owner' && inviterRole !== 'owner') throw new InvalidCreditsInputError([{ path: 'role', message: 'only owners may invite owners' }]);
  const [alreadyMember] = await db
    .select({ userId: organizationMembers.userId })
    .from(organizationMembers)
    .innerJoin(users, eq(users.id, organizationMembers.userId))
    .where(and(eq(organizationMembers.organizationId, parsed.organizationId), eq(users.email, parsed.email)));
  if (alreadyMember) throw new InvalidCreditsInputError([{ path: 'email', message: 'is already a member' }]);

  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + INVITE_DAYS * DAY_MS);
  const { invite, organizationName, inviter } = await db.transaction(async (tx) => {
    await tx
      .update(organizationInvites)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(organizationInvites.organizationId, parsed.organizationId),
          eq(organizationInvites.email, parsed.email),
          isNull(organizationInvites.acceptedAt),
          isNull(organizationInvites.revokedAt),
        ),
      );
    const [created] = await tx
      .insert(organizationInvites)
      .values({
        organizationId: parsed.organizationId,
        email: parsed.email,
        role: parsed.role,
        tokenHash: hashToken(token),
        invitedBy: parsed.userId,
        expiresAt,
      })
      .returning({ id: organizationInvites.id });
    const [organization] = await tx.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, parsed.organizationId));
    const [sender] = await tx.select({ email: users.email }).from(users).where(eq(users.id, parsed.userId));
    return { invite: created!, organizationName: organization!.name, inviter: sender?.email ?? null };
  });

  await sendEmail({
    to: parsed.email,
    subject: `Join ${organizationName} on ${appConfig.name}`,
    react: OrganizationInviteEmail({
      appName: appConfig.name,
      organizationName,
      invitedBy: inviter,
      role: parsed.role,
      url: new URL(`/invites/${token}`, env.APP_URL).toString(),
      expiresInDays: INVITE_DAYS,
    }),
  });
  return { inviteId: invite.id, expiresAt };
}

export interface InvitePreview {
  organizationId: string;
  organizationName: string;
  email: string;
  role: OrganizationRole;
  /** Why it cannot be accepted, or null when it can (by the right user). */
  problem: Exclude<InviteProblem, 'wrong_email'> | null;
}

async function findInvite(token: string) {
  if (!tokenSchema.safeParse(token).success) return null;
  const db = await getDb();
  const [invite] = await db
    .select({
      id: organizationInvites.id,
      organizationId: organizationInvites.organizationId,
      organizationName: organizations.name,
      email: organizationInvites.email,
      role: organizationInvites.role,
      expiresAt: organizationInvites.expiresAt,
      acceptedAt: organizationInvites.acceptedAt,
      revokedAt: organizationInvites.revokedAt,
    })
    .from(organizationInvites)
    .innerJoin(organizations, eq(organizations.id, organizationInvites.organizationId))
    .where(eq(organizationInvites.tokenHash, hashToken(token)));
  return invite ?? null;
}

/** What an invitation link is for, for the page that offers to accept it; null for an unknown link. */
export async function previewInvite(token: string): Promise<InvitePreview | null> {
  const invite = await findInvite(token);
  if (!invite) return null;
  const problem = invite.acceptedAt ? 'accepted' : invite.revokedAt ? 'revoked' : invite.expiresAt.getTime() <= Date.now() ? 'expired' : null;
  return { organizationId: invite.organizationId, organizationName: invite.organizationName, email: invite.email, role: invite.role, problem };
}

/**
 * Accepts an invitation for `userId`, whose email must be the one invited: they become a member with
 * the invited role. Throws `InviteUnusableError` otherwise. Accepting is once-only (a conditional
 * update), so a double click or a replayed request adds the member once.
 */
export async function acceptInvite(input: { userId: string; token: string }): Promise<{ organizationId: string }> {
  const { userId, token } = parseCreditsInput(
    z.object({ userId: userIdSchema.shape.userId, token: z.string({ message: 'must be a string' }).max(100) }),
    input,
  );
  const invite = await findInvite(token);
  if (!invite) throw new InviteUnusableError('not_found');
  const db = await getDb();
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  if (!user?.email || user.email.toLowerCase() !== invite.email) throw new InviteUnusableError('wrong_email');

  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(organizationInvites)
      .set({ acceptedAt: new Date() })
      .where(
        and(
          eq(organizationInvites.id, invite.id),
          isNull(organizationInvites.acceptedAt),
          isNull(organizationInvites.revokedAt),
          gt(organizationInvites.expiresAt, new Date()),
        ),
      )
      .returning({ id: organizationInvites.id });
    if (!claimed) throw new InviteUnusableError(invite.acceptedAt ? 'accepted' : invite.revokedAt ? 'revoked' : 'expired');
    await tx
      .insert(organizationMembers)
      .values({ organizationId: invite.organizationId, userId, role: invite.role })
      .onConflictDoNothing({ target: [organizationMembers.organizationId, organizationMembers.userId] });
    return { organizationId: invite.organizationId };
  });
}

export interface PendingInvite {
  id: string;
  email: string;
  role: OrganizationRole;
  expiresAt: Date;
  createdAt: Date;
}

/** Invitations not yet accepted, withdrawn or expired. Owners and admins only. */
export async function listPendingInvites(viewer: string, organization: string): Promise<PendingInvite[]> {
  const { viewerId, organizationId } = parseCreditsInput(z.object({ viewerId: userIdSchema.shape.userId, organizationId: z.uuid() }), {
    viewerId: viewer,
    organizationId: organization,
  });
  const db = await getDb();
  await requireMember(db, organizationId, viewerId, MANAGER_ROLES);
  return db
    .select({
      id: organizationInvites.id,
      email: organizationInvites.email,
      role: organizationInvites.role,
      expiresAt: organizationInvites.expiresAt,
      createdAt: organizationInvites.createdAt,
    })
    .from(organizationInvites)
    .where(
      and(
        eq(organizationInvites.organizationId, organizationId),
        isNull(organizationInvites.acceptedAt),
        isNull(organizationInvites.revokedAt),
        gt(organizationInvites.expiresAt, new Date()),
      ),
    )
    .orderBy(desc(organizationInvites.createdAt));
}

/** Withdraws a pending invitation. Owners and admins only. */
export async function revokeInvite(input: { userId: string; organizationId: string; inviteId: string }): Promise<void> {
  const parsed = parseCreditsInput(z.object({ userId: userIdSchema.shape.userId, organizationId: z.uuid(), inviteId: z.uuid() }), input);
  const db = await getDb();
  await requireMember(db, parsed.organizationId, parsed.userId, MANAGER_ROLES);
  await db
    .update(organizationInvites)
    .set({ revokedAt: new Date() })
    .where(
      and(eq(organizationInvites.id, parsed.inviteId), eq(organizationInvites.organizationId, parsed.organizationId), isNull(organizationInvites.acceptedAt)),
    );
}
