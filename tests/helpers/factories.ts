import { randomUUID } from 'node:crypto';

import { eq } from 'drizzle-orm';
import { expect } from 'vitest';

import { findLedgerDrift } from '@/features/common/payments/service/credits-verify';
import { getDb } from '@/shared/db/client';
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
  expect(await findLedgerDrift(await getDb())).toEqual([]);
}

