import { sql } from 'drizzle-orm';
import { z } from 'zod';

import { parseCreditsInput, storableString } from '@/features/common/payments/service/credits-input.schema';
import { personalWalletId } from '@/features/common/payments/service/ledger/ledger';
import { getDb, queryRows } from '@/shared/db/client';
import type { CreditTransactionType } from '@/shared/db/schema';

/*
 * The audit list: every change an admin made to credits (grants, corrections, lots ended early) is a
 * ledger entry with the admin as actor, so the list reads those entries — there is no second record
 * that could disagree with the ledger. The partial index on admin entries keeps it fast however long
 * the ledger grows.
 */

export interface AdminAction {
  id: number;
  createdAt: Date;
  type: CreditTransactionType;
  reason: string;
  purchasedDelta: number;
  bonusDelta: number;
  adminId: string;
  /** The admin's email; null when the account was deleted. */
  adminEmail: string | null;
  walletId: string;
  /** The wallet's owner: a user … */
  userId: string | null;
  userEmail: string | null;
  /** … or an organisation. */
  organizationId: string | null;
  organizationName: string | null;
}

export interface AdminActionPage {
  items: AdminAction[];
  nextCursor: number | null;
}

const id = storableString()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[^\u0000-\u001f\u007f]+$/u, { message: 'must not contain control characters' });

const listAdminActionsSchema = z.object({
  adminId: id.optional(),
  /** Actions on this user's personal wallet. */
  userId: id.optional(),
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(100).default(50),
});
export type ListAdminActionsOptions = z.input<typeof listAdminActionsSchema>;

type Row = Record<string, unknown>;

/** Admins' changes to credits, newest first, optionally by one admin and/or on one user's wallet. For admins (the caller authorises). */
export async function listAdminActions(options: ListAdminActionsOptions = {}): Promise<AdminActionPage> {
  const { adminId, userId, cursor, limit } = parseCreditsInput(listAdminActionsSchema, options);
  const db = await getDb();
  const rows = await queryRows<Row>(
    db,
    sql`
      select t.id, t.created_at, t.type, t.reason, t.purchased_delta, t.bonus_delta, t.actor_id, a.email as admin_email,
             t.wallet_id, w.user_id, u.email as user_email, w.organization_id, o.name as organization_name
        from credit_transactions t
        join wallets w on w.id = t.wallet_id
        left join users a on a.id = t.actor_id
        left join users u on u.id = w.user_id
        left join organizations o on o.id = w.organization_id
       where t.actor_type = 'admin'
         ${adminId ? sql`and t.actor_id = ${adminId}` : sql``}
         ${userId ? sql`and t.wallet_id = ${personalWalletId(userId)}` : sql``}
         ${cursor ? sql`and t.id < ${cursor}` : sql``}
       order by t.id desc
       limit ${limit + 1}`,
  );
  const items = rows
    .slice(0, limit)
    .map((row): AdminAction => ({
      id: Number(row.id),
      createdAt: row.created_at instanceof Date ? row.created_at : new Date(String(row.created_at)),
      type: row.type as CreditTransactionType,
      reason: String(row.reason),
      purchasedDelta: Number(row.purchased_delta),
      bonusDelta: Number(row.bonus_delta),
      adminId: String(row.actor_id),
      adminEmail: (row.admin_email as string | null) ?? null,
      walletId: String(row.wallet_id),
      userId: (row.user_id as string | null) ?? null,
      userEmail: (row.user_email as string | null) ?? null,
      organizationId: (row.organization_id as string | null) ?? null,
      organizationName: (row.organization_name as string | null) ?? null,
    }));
  return { items, nextCursor: rows.length > limit ? items.at(-1)!.id : null };
}

/** Everyone who can appear as the admin of an action: today's admins and anyone who acted as one. */
export async function listAuditAdmins(): Promise<{ id: string; email: string | null }[]> {
  const db = await getDb();
  const rows = await queryRows<Row>(
    db,
    sql`
      select u.id, u.email from users u where u.role = 'admin'
      union
      select t.actor_id, u.email
        from (select distinct actor_id from credit_transactions where actor_type = 'admin' and actor_id is not null) t
        left join users u on u.id = t.actor_id
      order by 2 nulls last, 1`,
  );
  return rows.map((row) => ({ id: String(row.id), email: (row.email as string | null) ?? null }));
}
