import { applyDefaultAlertThreshold } from '@/features/common/payments/service/alerts/low-balance';
import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';

import { InvalidCreditsInputError } from '@/features/common/payments/service/credits-errors';
import { parseCreditsInput, storableString, userIdSchema } from '@/features/common/payments/service/credits-input.schema';
import { organizationWalletId } from '@/features/common/payments/service/ledger/ledger';
import { MANAGER_ROLES, requireMember } from '@/features/common/payments/service/organizations/membership';
import { getDb, queryRows, type Transaction } from '@/shared/db/client';
import { memberCreditUsage, organizationMembers, organizations, users, type OrganizationRole } from '@/shared/db/schema';

/*
 * Organisations own a wallet of their own (created with them, by a trigger). Owners and admins buy
 * credits for it and set a monthly cap per member; every member spends from it within their cap.
 * Membership and caps are read by the ledger in the same statement as each deduction, so removing a
 * member or lowering a cap takes effect at once.
 */

const name = storableString().trim().min(1, { message: 'must not be empty' }).max(100, { message: 'must be at most 100 characters' });
const email = z
  .email({ message: 'must be an email address' })
  .max(320)
  .transform((value) => value.toLowerCase());
const id = z.uuid({ message: 'must be an organization id' });
const userId = userIdSchema.shape.userId;
const role = z.enum(['owner', 'admin', 'member'], { message: 'must be owner, admin or member' });
const cap = z
  .number({ message: 'must be a number' })
  .int({ message: 'must be a whole number of credits' })
  .min(0, { message: 'must be zero or more' })
  .max(Number.MAX_SAFE_INTEGER)
  .nullable();

export interface OrganizationSummary {
  id: string;
  name: string;
  role: OrganizationRole;
}

/** Creates an organisation with `userId` as its owner (and its wallet, empty). */
export async function createOrganization(input: { userId: string; name: string; billingEmail?: string | null }): Promise<OrganizationSummary> {
  const parsed = parseCreditsInput(z.object({ userId, name, billingEmail: email.nullish() }), input);
  const db = await getDb();
  const created = await db.transaction(async (tx) => {
    const [organization] = await tx
      .insert(organizations)
      .values({ name: parsed.name, billingEmail: parsed.billingEmail ?? null, createdBy: parsed.userId })
      .returning({ id: organizations.id, name: organizations.name });
    await tx.insert(organizationMembers).values({ organizationId: organization!.id, userId: parsed.userId, role: 'owner' });
    return { ...organization!, role: 'owner' as const };
  });
  await applyDefaultAlertThreshold(organizationWalletId(created.id));
  return created;
}

/** The organisations `userId` belongs to, by name. */
export async function listMyOrganizations(input: string): Promise<OrganizationSummary[]> {
  const { userId: viewer } = parseCreditsInput(userIdSchema, { userId: input });
  const db = await getDb();
  return db
    .select({ id: organizations.id, name: organizations.name, role: organizationMembers.role })
    .from(organizationMembers)
    .innerJoin(organizations, eq(organizations.id, organizationMembers.organizationId))
    .where(eq(organizationMembers.userId, viewer))
    .orderBy(asc(organizations.name), asc(organizations.id));
}

export interface OrganizationDetails {
  id: string;
  name: string;
  billingEmail: string | null;
  /** The viewer's role. */
  role: OrganizationRole;
}

/** An organisation as one of its members sees it (`NotOrganizationMemberError` for anyone else). */
export async function getOrganization(viewerId: string, organizationId: string): Promise<OrganizationDetails> {
  const parsed = parseCreditsInput(z.object({ viewerId: userId, organizationId: id }), { viewerId, organizationId });
  const db = await getDb();
  const viewerRole = await requireMember(db, parsed.organizationId, parsed.viewerId);
  const [organization] = await db.select().from(organizations).where(eq(organizations.id, parsed.organizationId));
  return { id: organization!.id, name: organization!.name, billingEmail: organization!.billingEmail, role: viewerRole };
}

/** Renames the organisation or changes where its receipts go. Owners and admins only. */
export async function updateOrganization(input: { userId: string; organizationId: string; name?: string; billingEmail?: string | null }): Promise<void> {
  const parsed = parseCreditsInput(z.object({ userId, organizationId: id, name: name.optional(), billingEmail: email.nullish() }), input);
  const db = await getDb();
  await requireMember(db, parsed.organizationId, parsed.userId, MANAGER_ROLES);
  if (parsed.name === undefined && parsed.billingEmail === undefined) return;
  await db
    .update(organizations)
    .set({ ...(parsed.name !== undefined && { name: parsed.name }), ...(parsed.billingEmail !== undefined && { billingEmail: parsed.billingEmail }) })
    .where(eq(organizations.id, parsed.organizationId));
}

export interface OrganizationMemberView {
  userId: string;
  email: string | null;
  name: string | null;
  role: OrganizationRole;
  monthlyCap: number | null;
  /** Credits spent (and held) from the organisation's wallet this calendar month (UTC). */
  usedThisMonth: number;
  joinedAt: Date;
}

/** The members with their roles, caps and this month's use. Any member may look. */
export async function listOrganizationMembers(viewerId: string, organizationId: string): Promise<OrganizationMemberView[]> {
  const parsed = parseCreditsInput(z.object({ viewerId: userId, organizationId: id }), { viewerId, organizationId });
  const db = await getDb();
  await requireMember(db, parsed.organizationId, parsed.viewerId);
  const rows = await db
    .select({
      userId: organizationMembers.userId,
      email: users.email,
      name: users.name,
      role: organizationMembers.role,
      monthlyCap: organizationMembers.monthlyCap,
      usedThisMonth: sql<string | number>`coalesce(${memberCreditUsage.credits}, 0)`,
      joinedAt: organizationMembers.createdAt,
    })
    .from(organizationMembers)
    .innerJoin(users, eq(users.id, organizationMembers.userId))
    .leftJoin(
      memberCreditUsage,
      and(
        eq(memberCreditUsage.walletId, organizationWalletId(parsed.organizationId)),
        eq(memberCreditUsage.userId, organizationMembers.userId),
        sql`${memberCreditUsage.period} = credits_usage_period()`,
      ),
    )
    .where(eq(organizationMembers.organizationId, parsed.organizationId))
    .orderBy(asc(organizationMembers.createdAt));
  return rows.map((row) => ({ ...row, usedThisMonth: Number(row.usedThisMonth) }));
}

/**
 * Adds `memberId` to the organisation (or changes their role). Used when an invitation is accepted;
 * owners and admins may call it directly for users who already exist. Only owners make owners.
 */
export async function addOrganizationMember(
  input: { organizationId: string; memberId: string; role?: OrganizationRole },
  actor: { userId: string } | 'invitation',
): Promise<void> {
  const parsed = parseCreditsInput(z.object({ organizationId: id, memberId: userId, role: role.default('member') }), input);
  const db = await getDb();
  if (actor !== 'invitation') {
    const actorRole = await requireMember(db, parsed.organizationId, actor.userId, MANAGER_ROLES);
    if (parsed.role === 'owner' && actorRole !== 'owner') throw new InvalidCreditsInputError([{ path: 'role', message: 'only owners may make owners' }]);
  }
  await db
    .insert(organizationMembers)
    .values({ organizationId: parsed.organizationId, userId: parsed.memberId, role: parsed.role })
    .onConflictDoNothing({ target: [organizationMembers.organizationId, organizationMembers.userId] });
}

/** How many owners the organisation has; it must always keep one. */
async function ownerCount(tx: Transaction, organizationId: string): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(
    tx,
    sql`select count(*) as n from organization_members where organization_id = ${organizationId} and role = 'owner'`,
  );
  return Number(row?.n ?? 0);
}

/**
 * Runs a change to the organisation's members with its row locked, so two changes that each leave
 * one owner (two owners stepping down at once) cannot both pass the last-owner check.
 */
async function changeMembers<T>(organizationId: string, change: (tx: Transaction) => Promise<T>): Promise<T> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, organizationId)).for('update');
    return change(tx);
  });
}

/** Changes a member's role. Owners and admins only; only owners touch owners; the last owner stays one. */
export async function setOrganizationMemberRole(input: { userId: string; organizationId: string; memberId: string; role: OrganizationRole }): Promise<void> {
  const parsed = parseCreditsInput(z.object({ userId, organizationId: id, memberId: userId, role }), input);
  await changeMembers(parsed.organizationId, async (tx) => {
    const actorRole = await requireMember(tx, parsed.organizationId, parsed.userId, MANAGER_ROLES);
    const targetRole = await requireMember(tx, parsed.organizationId, parsed.memberId);
    if ((parsed.role === 'owner' || targetRole === 'owner') && actorRole !== 'owner') {
      throw new InvalidCreditsInputError([{ path: 'role', message: 'only owners may make or unmake owners' }]);
    }
    if (targetRole === 'owner' && parsed.role !== 'owner' && (await ownerCount(tx, parsed.organizationId)) <= 1) {
      throw new InvalidCreditsInputError([{ path: 'role', message: 'an organization needs at least one owner' }]);
    }
    await tx
      .update(organizationMembers)
      .set({ role: parsed.role })
      .where(and(eq(organizationMembers.organizationId, parsed.organizationId), eq(organizationMembers.userId, parsed.memberId)));
  });
}

/**
 * Sets a member's monthly cap on the organisation's wallet (null: no cap). Owners and admins only.
 * It applies from the next deduction: the ledger reads it in the same statement as each one.
 */
export async function setOrganizationMemberCap(input: { userId: string; organizationId: string; memberId: string; monthlyCap: number | null }): Promise<void> {
  const parsed = parseCreditsInput(z.object({ userId, organizationId: id, memberId: userId, monthlyCap: cap }), input);
  const db = await getDb();
  await requireMember(db, parsed.organizationId, parsed.userId, MANAGER_ROLES);
  await requireMember(db, parsed.organizationId, parsed.memberId);
  await db
    .update(organizationMembers)
    .set({ monthlyCap: parsed.monthlyCap })
    .where(and(eq(organizationMembers.organizationId, parsed.organizationId), eq(organizationMembers.userId, parsed.memberId)));
}

/**
 * Removes a member (owners and admins; a member may remove themselves: leaving). From the next
 * statement on they cannot spend from the wallet. The last owner cannot leave.
 */
export async function removeOrganizationMember(input: { userId: string; organizationId: string; memberId: string }): Promise<void> {
  const parsed = parseCreditsInput(z.object({ userId, organizationId: id, memberId: userId }), input);
  const leaving = parsed.userId === parsed.memberId;
  await changeMembers(parsed.organizationId, async (tx) => {
    const actorRole = await requireMember(tx, parsed.organizationId, parsed.userId, leaving ? undefined : MANAGER_ROLES);
    const targetRole = leaving ? actorRole : await requireMember(tx, parsed.organizationId, parsed.memberId);
    if (targetRole === 'owner' && !leaving && actorRole !== 'owner') {
      throw new InvalidCreditsInputError([{ path: 'memberId', message: 'only owners may remove owners' }]);
    }
    if (targetRole === 'owner' && (await ownerCount(tx, parsed.organizationId)) <= 1) {
      throw new InvalidCreditsInputError([{ path: 'memberId', message: 'an organization needs at least one owner: make someone else owner first' }]);
    }
    await tx
      .delete(organizationMembers)
      .where(and(eq(organizationMembers.organizationId, parsed.organizationId), eq(organizationMembers.userId, parsed.memberId)));
  });
}
