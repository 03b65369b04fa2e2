import { randomUUID } from 'node:crypto';

import { eq, sql } from 'drizzle-orm';
import { expect } from 'vitest';

import { getDb, queryRows } from '@/shared/db/client';
import { creditBalances, creditTransactions, users, type UserRole } from '@/shared/db/schema';

/** Inserts a user as Auth.js would on first sign-in. */
export async function createUser(options: { email?: string; role?: UserRole } = {}) {
  const db = await getDb();
  const [user] = await db
    .insert(users)
    .values({ email: options.email ?? `user-${randomUUID()}@example.com`, role: options.role ?? 'user' })
    .returning();
  return user!;
}

export async function ledgerOf(userId: string) {
  const db = await getDb();
  return db.select().from(creditTransactions).where(eq(creditTransactions.userId, userId)).orderBy(creditTransactions.id);
}

export async function balanceRowOf(userId: string) {
  const db = await getDb();
  const [row] = await db.select().from(creditBalances).where(eq(creditBalances.userId, userId));
  return row;
}

/** The ledger invariant: for every user, the sum of the entries' deltas equals the balance row. */
export async function expectLedgerMatchesBalances() {
  const db = await getDb();
  const drift = await queryRows(
    db,
    sql`select b.user_id from credit_balances b
        left join (select user_id, sum(purchased_delta) p, sum(bonus_delta) bo, sum(used_delta) u from credit_transactions group by user_id) t
          on t.user_id = b.user_id
        where coalesce(t.p, 0) <> b.purchased or coalesce(t.bo, 0) <> b.bonus or coalesce(t.u, 0) <> b.used`,
  );
  expect(drift).toEqual([]);
}
