import { randomUUID } from 'node:crypto';

import { eq } from 'drizzle-orm';
import { expect } from 'vitest';

import { findLedgerDrift } from '@/features/common/payments/service/credits-verify';
import { getDb } from '@/shared/db/client';
import { organizationWalletId, personalWalletId } from '@/features/common/payments/service/ledger/ledger';
import { creditBalances, creditLots, creditTransactions, users, type UserRole } from '@/shared/db/schema';

/** Inserts a user as Auth.js would on first sign-in. */
export async function createUser(options: { email?: string; role?: UserRole } = {}) {
  const db = await getDb();
  const [user] = await db
    .insert(users)
    .values({ email: options.email ?? `user-${randomUUID()}@example.com`, role: options.role ?? 'user' })
    .returning();
  return user!;
}

/** The ledger of a user's personal wallet (or, with `{ organizationId }`, of an organisation's). */
export async function ledgerOf(userId: string | { organizationId: string }) {
  const db = await getDb();
  return db
    .select()
    .from(creditTransactions)
    .where(eq(creditTransactions.walletId, walletIdOf(userId)))
    .orderBy(creditTransactions.id);
}

export async function balanceRowOf(userId: string | { organizationId: string }) {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(creditBalances)
    .where(eq(creditBalances.walletId, walletIdOf(userId)));
  return row;
}

export function walletIdOf(owner: string | { organizationId: string }): string {
  return typeof owner === 'string' ? personalWalletId(owner) : organizationWalletId(owner.organizationId);
}

/** The wallet's lots in spending order (bonus first, soonest-expiring first). */
export async function lotsOf(owner: string | { organizationId: string }) {
  const db = await getDb();
  const lots = await db
    .select()
    .from(creditLots)
    .where(eq(creditLots.walletId, walletIdOf(owner)));
  const never = Number.POSITIVE_INFINITY;
  return lots.sort(
    (a, b) =>
      Number(a.bucket === 'purchased') - Number(b.bucket === 'purchased') ||
      (a.expiresAt?.getTime() ?? never) - (b.expiresAt?.getTime() ?? never) ||
      a.createdAt.getTime() - b.createdAt.getTime(),
  );
}

/** The ledger invariant: for every user, the sum of the entries' deltas equals the balance row. */
export async function expectLedgerMatchesBalances() {
  expect(await findLedgerDrift(await getDb())).toEqual([]);
}
