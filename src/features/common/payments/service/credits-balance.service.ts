import { and, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';

import { appConfig } from '@/config/app';
import {
  listTransactionsSchema,
  organizationIdSchema,
  parseCreditsInput,
  parseDeductInput,
  parseServiceInput,
  userIdSchema,
  type DeductCreditsInput,
  type ListTransactionsOptions,
} from '@/features/common/payments/service/credits-input.schema';
import { queueDeduction } from '@/features/common/payments/service/ledger/deduction-queue';
import { expectApplied, fingerprint, ledger, readBalances, runLedger, walletOf, type LedgerBalances } from '@/features/common/payments/service/ledger/ledger';
import { assertCanReadWallet } from '@/features/common/payments/service/organizations/membership';
import { toCreditsBalance, type CreditsBalance } from '@/features/common/payments/service/ledger/balances';
import { getDb } from '@/shared/db/client';
import { creditHolds, creditTransactions, type CreditTransaction } from '@/shared/db/schema';

export { InsufficientCreditsError } from '@/features/common/payments/service/credits-errors';
export { toCreditsBalance, type CreditsBalance } from '@/features/common/payments/service/ledger/balances';
export { releaseCreditHold, reserveCredits, settleCreditHold, withCredits } from '@/features/common/payments/service/ledger/holds';
export type { CreditHold, CreditHoldSettlement, CreditHoldRelease } from '@/features/common/payments/service/ledger/holds';

export interface DeductCreditsResult extends CreditsBalance {
  deductedFromBonus: number;
  deductedFromPurchased: number;
  /** The ledger entry that records this deduction. */
  transactionId: string;
}

/**
 * Spends `credits` of a user's balance — or, with `organizationId`, of that organisation's wallet as
 * one of its members — bonus credits first, then purchased ones; within a bucket the credits that
 * expire soonest go first. One atomic statement under the wallet's row lock, so concurrent calls can
 * never overdraw or lose an update.
 *
 * - Throws `InsufficientCreditsError` (with `required` and `available`) when bonus + purchased do not
 *   cover it; nothing changes.
 * - For an organisation: `NotOrganizationMemberError` unless the user is a member when the statement
 *   runs, `MemberCapExceededError` when their monthly cap does not cover it.
 * - While a deduction for the same wallet is in flight in this process, the call waits for it and then
 *   goes with the others that waited, as one statement (`billing.credits.batchDeductions`).
 * - With an `idempotencyKey`, a retry (also a concurrent one) returns the first call's result and
 *   charges once; the same key with a different request — other `credits`, `reason`, `feature` or
 *   `requestFingerprint` — throws `IdempotencyConflictError`. Pass `requestFingerprint:
 *   fingerprintRequest(body)` so that a reused key with another request body is a conflict too, not a
 *   free replay of the charge.
 * - Bad arguments throw `InvalidCreditsInputError`, an unknown user `UserNotFoundError`, and credits
 *   switched off in config `CreditsDisabledError`; none of them writes anything.
 */
export async function deductCreditsBonusFirst(input: DeductCreditsInput): Promise<DeductCreditsResult> {
  const { userId, organizationId, credits, reason, idempotencyKey, requestFingerprint, metadata, feature } = parseDeductInput(input);
  const wallet = walletOf({ userId, organizationId });
  // Without a caller's fingerprint or a feature it is the fingerprint earlier versions wrote, so their keys still replay.
  const fingerprinted = idempotencyKey
    ? fingerprint('deduct', credits, reason, ...(requestFingerprint ? [requestFingerprint] : []), ...(feature ? [{ feature }] : []))
    : null;
  const ctx = { reason, actorType: 'user' as const, actorId: userId, idempotencyKey, requestFingerprint: fingerprinted, metadata, feature };
  const outcome = expectApplied(
    appConfig.billing.credits.batchDeductions
      ? await queueDeduction(wallet, credits, ctx)
      : await runLedger(await getDb(), ledger.deduct(wallet, credits, ctx)),
    { wallet, credits, idempotencyKey },
  );
  return {
    ...toCreditsBalance(outcome.balances!),
    // The entry's deltas are ≤ 0; abs() also keeps a zero from reading as -0.
    deductedFromBonus: Math.abs(outcome.entry.bonusDelta),
    deductedFromPurchased: Math.abs(outcome.entry.purchasedDelta),
    transactionId: String(outcome.entry.id),
  };
}

const ZERO: LedgerBalances = { purchased: 0, bonus: 0, held: 0, used: 0 };

/**
 * A user's current balances — or, with `organizationId`, that organisation's, for one of its members
 * (`NotOrganizationMemberError` otherwise). Expired credits and expired holds are already left out,
 * whether or not the expiry job has run. Zeros for a user who never had credits. A bad `userId`
 * throws `InvalidCreditsInputError`.
 */
export async function getCreditsBalance(input: string, options: { organizationId?: string | null } = {}): Promise<CreditsBalance> {
  const { userId, organizationId } = parseServiceInput(userIdSchema.extend({ organizationId: organizationIdSchema.nullable() }), {
    userId: input,
    organizationId: options.organizationId ?? null,
  });
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  await assertCanReadWallet(db, wallet);
  return toCreditsBalance((await readBalances(db, wallet.walletId)) ?? ZERO);
}

export type CreditTransactionView = Pick<
  CreditTransaction,
  | 'id'
  | 'type'
  | 'purchasedDelta'
  | 'bonusDelta'
  | 'heldDelta'
  | 'usedDelta'
  | 'purchasedAfter'
  | 'bonusAfter'
  | 'heldAfter'
  | 'usedAfter'
  | 'reason'
  | 'actorType'
  | 'actorId'
  | 'feature'
  | 'holdId'
  | 'lotId'
  | 'metadata'
  | 'createdAt'
>;

export interface CreditTransactionPage {
  items: CreditTransactionView[];
  /** Pass as `cursor` for the next (older) page; `null` on the last page. */
  nextCursor: number | null;
}

const closingTypes = new Set<CreditTransactionView['type']>(['hold_settled', 'hold_released', 'hold_expired']);

export const transactionViewColumns = {
  id: creditTransactions.id,
  type: creditTransactions.type,
  purchasedDelta: creditTransactions.purchasedDelta,
  bonusDelta: creditTransactions.bonusDelta,
  heldDelta: creditTransactions.heldDelta,
  usedDelta: creditTransactions.usedDelta,
  purchasedAfter: creditTransactions.purchasedAfter,
  bonusAfter: creditTransactions.bonusAfter,
  heldAfter: creditTransactions.heldAfter,
  usedAfter: creditTransactions.usedAfter,
  reason: creditTransactions.reason,
  actorType: creditTransactions.actorType,
  actorId: creditTransactions.actorId,
  feature: creditTransactions.feature,
  holdId: creditTransactions.holdId,
  lotId: creditTransactions.lotId,
  metadata: creditTransactions.metadata,
  createdAt: creditTransactions.createdAt,
};

/**
 * A user's ledger (or, with `organizationId`, the organisation's, for a member), newest first, a page
 * at a time (`limit` 1–100, default 20), optionally only entries of some `types` and within
 * [`from`, `to`). The filters are checked inside the wallet's history index, so a rare type among
 * 100,000 entries costs a scan of the index, never of the table.
 *
 * A hold reads as one line once it has closed: its `hold` entry is left out and its closing entry
 * (`hold_settled`, `hold_released`, `hold_expired`) carries the net change of the pair, so a
 * settled hold of 10 shows as −10 taken from the buckets it came from, and a released one as 0.
 * An open hold shows as its `hold` entry. The amounts shown still add up to the balance; the raw
 * entries are in the CSV export and in `credits:verify`.
 */
export async function listCreditTransactions(input: string, options: ListTransactionsOptions = {}): Promise<CreditTransactionPage> {
  const {
    userId,
    options: { limit, cursor, organizationId, types, from, to },
  } = parseCreditsInput(listTransactionsSchema, { userId: input, options });
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  await assertCanReadWallet(db, wallet);
  const rows = await db
    .select({ ...transactionViewColumns, holdFromBonus: creditHolds.fromBonus, holdFromPurchased: creditHolds.fromPurchased, holdStatus: creditHolds.status })
    .from(creditTransactions)
    .leftJoin(creditHolds, eq(creditHolds.id, creditTransactions.holdId))
    .where(
      and(
        eq(creditTransactions.walletId, wallet.walletId),
        sql`not (${creditTransactions.type} = 'hold' and ${creditHolds.status} is distinct from 'open')`,
        cursor ? lt(creditTransactions.id, cursor) : undefined,
        types ? inArray(creditTransactions.type, types) : undefined,
        from ? gte(creditTransactions.createdAt, from) : undefined,
        to ? lt(creditTransactions.createdAt, to) : undefined,
      ),
    )
    .orderBy(desc(creditTransactions.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit).map(({ holdFromBonus, holdFromPurchased, holdStatus, ...entry }): CreditTransactionView => {
    if (!closingTypes.has(entry.type) || holdStatus === null || holdFromBonus === null || holdFromPurchased === null) return entry;
    // The closing entry of a hold, with the hold's own entry folded in: what the pair did.
    return {
      ...entry,
      bonusDelta: entry.bonusDelta - holdFromBonus,
      purchasedDelta: entry.purchasedDelta - holdFromPurchased,
      heldDelta: entry.heldDelta + holdFromBonus + holdFromPurchased,
    };
  });
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
