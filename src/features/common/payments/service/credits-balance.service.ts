import { and, desc, eq, lt } from 'drizzle-orm';

import { InsufficientCreditsError, UserNotFoundError } from '@/features/common/payments/service/credits-errors';
import {
  deductCreditsSchema,
  listTransactionsSchema,
  parseCreditsInput,
  parseServiceInput,
  userIdSchema,
  type DeductCreditsInput,
  type ListTransactionsOptions,
} from '@/features/common/payments/service/credits-input.schema';
import { applyOnce, deductionStatement, runLedgerStatement, type LedgerEntry } from '@/features/common/payments/service/credits-ledger';
import { getDb } from '@/shared/db/client';
import { creditBalances, creditTransactions, users, type CreditTransaction } from '@/shared/db/schema';

export { InsufficientCreditsError } from '@/features/common/payments/service/credits-errors';

export interface CreditsBalance {
  /** What the user can spend: purchased + bonus. */
  creditsBalance: number;
  creditsPurchased: number;
  creditsBonus: number;
  /** Everything spent so far. */
  creditsUsed: number;
}

export interface DeductCreditsResult extends CreditsBalance {
  deductedFromBonus: number;
  deductedFromPurchased: number;
  /** The ledger entry that records this deduction. */
  transactionId: string;
}

/** The balances a ledger entry left behind. */
export function balanceAfter(entry: Pick<LedgerEntry, 'purchasedAfter' | 'bonusAfter' | 'usedAfter'>): CreditsBalance {
  return {
    creditsBalance: entry.purchasedAfter + entry.bonusAfter,
    creditsPurchased: entry.purchasedAfter,
    creditsBonus: entry.bonusAfter,
    creditsUsed: entry.usedAfter,
  };
}

/**
 * Spends `credits` of a user's balance, bonus credits first, then purchased ones — in one atomic
 * statement under the balance row's lock, so concurrent calls can never overdraw or lose an update.
 *
 * - Throws `InsufficientCreditsError` (with `required` and `available`) when bonus + purchased do not
 *   cover it; nothing changes.
 * - With an `idempotencyKey`, a retry (also a concurrent one) returns the first call's result and
 *   charges once; the same key with a different `credits`, `reason` or `requestFingerprint` throws
 *   `IdempotencyConflictError`. Pass `requestFingerprint: fingerprintRequest(body)` so that a reused
 *   key with another request body is a conflict too, not a free replay of the charge.
 * - Bad arguments throw `InvalidCreditsInputError`, an unknown user `UserNotFoundError`, and credits
 *   switched off in config `CreditsDisabledError`; none of them writes anything.
 */
export async function deductCreditsBonusFirst(input: DeductCreditsInput): Promise<DeductCreditsResult> {
  const { userId, credits, reason, idempotencyKey, requestFingerprint, metadata } = parseCreditsInput(deductCreditsSchema, input);
  const db = await getDb();
  const ctx = {
    userId,
    reason,
    actorType: 'user' as const,
    actorId: userId,
    idempotencyKey,
    requestFingerprint: idempotencyKey ? JSON.stringify(['deduct', credits, reason, ...(requestFingerprint ? [requestFingerprint] : [])]) : null,
    metadata,
  };

  const entry = await applyOnce(db, ctx, () => runLedgerStatement(db, deductionStatement(credits, ctx), userId));
  if (!entry) {
    // The statement changed nothing; find out why, for the caller's error.
    const [user] = await db
      .select({ id: users.id, purchased: creditBalances.purchased, bonus: creditBalances.bonus })
      .from(users)
      .leftJoin(creditBalances, eq(creditBalances.userId, users.id))
      .where(eq(users.id, userId));
    if (!user) throw new UserNotFoundError(userId);
    throw new InsufficientCreditsError(credits, (user.purchased ?? 0) + (user.bonus ?? 0));
  }
  return {
    ...balanceAfter(entry),
    // The entry's deltas are ≤ 0; abs() also keeps a zero from reading as -0.
    deductedFromBonus: Math.abs(entry.bonusDelta),
    deductedFromPurchased: Math.abs(entry.purchasedDelta),
    transactionId: String(entry.id),
  };
}

/** A user's current balances; zeros for a user who never had credits. A bad `userId` throws `InvalidCreditsInputError`. */
export async function getCreditsBalance(input: string): Promise<CreditsBalance> {
  const { userId } = parseServiceInput(userIdSchema, { userId: input });
  const db = await getDb();
  const [row] = await db.select().from(creditBalances).where(eq(creditBalances.userId, userId));
  return balanceAfter({ purchasedAfter: row?.purchased ?? 0, bonusAfter: row?.bonus ?? 0, usedAfter: row?.used ?? 0 });
}

export type CreditTransactionView = Pick<
  CreditTransaction,
  | 'id'
  | 'type'
  | 'purchasedDelta'
  | 'bonusDelta'
  | 'usedDelta'
  | 'purchasedAfter'
  | 'bonusAfter'
  | 'usedAfter'
  | 'reason'
  | 'actorType'
  | 'actorId'
  | 'metadata'
  | 'createdAt'
>;

export interface CreditTransactionPage {
  items: CreditTransactionView[];
  /** Pass as `cursor` for the next (older) page; `null` on the last page. */
  nextCursor: number | null;
}

/** A user's ledger, newest first, a page at a time (`limit` 1–100, default 20). */
export async function listCreditTransactions(input: string, options: ListTransactionsOptions = {}): Promise<CreditTransactionPage> {
  const {
    userId,
    options: { limit, cursor },
  } = parseCreditsInput(listTransactionsSchema, { userId: input, options });
  const db = await getDb();
  const rows = await db
    .select({
      id: creditTransactions.id,
      type: creditTransactions.type,
      purchasedDelta: creditTransactions.purchasedDelta,
      bonusDelta: creditTransactions.bonusDelta,
      usedDelta: creditTransactions.usedDelta,
      purchasedAfter: creditTransactions.purchasedAfter,
      bonusAfter: creditTransactions.bonusAfter,
      usedAfter: creditTransactions.usedAfter,
      reason: creditTransactions.reason,
      actorType: creditTransactions.actorType,
      actorId: creditTransactions.actorId,
      metadata: creditTransactions.metadata,
      createdAt: creditTransactions.createdAt,
    })
    .from(creditTransactions)
    .where(and(eq(creditTransactions.userId, userId), cursor ? lt(creditTransactions.id, cursor) : undefined))
    .orderBy(desc(creditTransactions.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
