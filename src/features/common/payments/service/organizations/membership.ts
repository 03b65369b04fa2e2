import { and, eq } from 'drizzle-orm';

import { NotOrganizationMemberError, OrganizationNotFoundError, OrganizationRoleRequiredError } from '@/features/common/payments/service/credits-errors';
import type { WalletRef } from '@/features/common/payments/service/ledger/ledger';
import type { Executor } from '@/shared/db/client';
import { organizationMembers, organizations, type OrganizationRole } from '@/shared/db/schema';

/** A member's role in an organisation, or null when they are not one. */
export async function findMemberRole(executor: Executor, organizationId: string, userId: string): Promise<OrganizationRole | null> {
  const [member] = await executor
    .select({ role: organizationMembers.role })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.organizationId, organizationId), eq(organizationMembers.userId, userId)));
  return member?.role ?? null;
}

/**
 * Requires `userId` to be a member of `organizationId` (with one of `roles`, when given): throws
 * `OrganizationNotFoundError`, `NotOrganizationMemberError` or `OrganizationRoleRequiredError`.
 * Returns the member's role.
 */
export async function requireMember(
  executor: Executor,
  organizationId: string,
  userId: string,
  roles?: readonly OrganizationRole[],
): Promise<OrganizationRole> {
  const role = await findMemberRole(executor, organizationId, userId);
  if (!role) {
    const [organization] = await executor.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, organizationId));
    if (!organization) throw new OrganizationNotFoundError(organizationId);
    throw new NotOrganizationMemberError(userId, organizationId);
  }
  if (roles && !roles.includes(role)) throw new OrganizationRoleRequiredError(organizationId);
  return role;
}

/** Owners and admins: who may buy for an organisation, set caps and manage members. */
export const MANAGER_ROLES = ['owner', 'admin'] as const satisfies readonly OrganizationRole[];

/** Reading an organisation's wallet (balance, history) is for its members; a personal wallet is its user's. */
export async function assertCanReadWallet(executor: Executor, wallet: WalletRef): Promise<void> {
  if (wallet.organizationId && wallet.userId) await requireMember(executor, wallet.organizationId, wallet.userId);
}
