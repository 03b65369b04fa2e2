import { appConfig } from '@/config/app';
import {
  parseCreditsInput,
  releaseCreditHoldSchema,
  reserveCreditsSchema,
  settleCreditHoldSchema,
  type ReserveCreditsInput,
  type ReleaseCreditHoldInput,
  type SettleCreditHoldInput,
} from '@/features/common/payments/service/credits-input.schema';
import { toCreditsBalance, type CreditsBalance } from '@/features/common/payments/service/ledger/balances';
import { expectApplied, fingerprint, ledger, runLedger, walletOf, type LedgerOutcome } from '@/features/common/payments/service/ledger/ledger';
import { getDb } from '@/shared/db/client';

/*
 * Holds: credits reserved for work whose cost is known later. Reserving moves them out of what can
 * be spent; settling charges what the work really cost and gives back the rest; releasing (or
 * expiry, after `expiresInSeconds`) gives back all of it. Each step is one ledger call, so a hold
 * racing another step of itself, a deduction or the expiry job has exactly one outcome.
 */

export interface CreditHold extends CreditsBalance {
  holdId: string;
  creditsHeld: number;
  heldFromBonus: number;
  heldFromPurchased: number;
  expiresAt: Date;
}

export interface CreditHoldSettlement extends CreditsBalance {
  holdId: string;
  /** What the work cost: taken from the hold (bonus part first), and beyond it only with `allowOverage`. */
  creditsCharged: number;
  /** What went back to the buckets it came from. */
  creditsReturned: number;
  transactionId: string;
}

export interface CreditHoldRelease extends CreditsBalance {
  holdId: string;
  creditsReturned: number;
  transactionId: string;
}

function balancesOf(outcome: LedgerOutcome): CreditsBalance {
  return toCreditsBalance(outcome.balances!);
}

/**
 * Reserves `credits` — bonus first, then purchased — until the work's cost is known. Throws
 * `InsufficientCreditsError` when what can be spent does not cover it (nothing is held then). The
 * hold closes by itself after `expiresInSeconds` (default `billing.credits.holdExpiresAfterSeconds`,
 * at most 24 h): its credits come back and nothing is charged. With an `idempotencyKey`, a retry
 * returns the same hold; the key with another request throws `IdempotencyConflictError`.
 */
export async function reserveCredits(input: ReserveCreditsInput): Promise<CreditHold> {
  const { userId, organizationId, credits, reason, idempotencyKey, metadata, feature, expiresInSeconds } = parseCreditsInput(reserveCreditsSchema, input);
  const wallet = walletOf({ userId, organizationId });
  const seconds = expiresInSeconds ?? appConfig.billing.credits.holdExpiresAfterSeconds;
  const requestFingerprint = idempotencyKey ? fingerprint('reserve', credits, reason, feature ?? null, seconds) : null;
  const db = await getDb();
  const outcome = expectApplied(
    await runLedger(
      db,
      ledger.hold(wallet, credits, new Date(Date.now() + seconds * 1000), {
        reason,
        actorType: 'user',
        actorId: userId,
        idempotencyKey,
        requestFingerprint,
        metadata,
        feature,
      }),
    ),
    { wallet, credits, idempotencyKey },
  );
  const hold = outcome.hold!;
  return {
    ...balancesOf(outcome),
    holdId: hold.id,
    creditsHeld: hold.credits,
    heldFromBonus: hold.fromBonus,
    heldFromPurchased: hold.fromPurchased,
    expiresAt: hold.expiresAt,
  };
}

/**
 * Charges the actual `credits` of a hold (0 up to what it holds; its bonus part is spent first) and
 * returns the rest to the buckets and lots it came from. More than held: with `allowOverage: true`
 * the difference is charged from available credits if they cover it (else `InsufficientCreditsError`
 * and the hold stays open); without it `InvalidCreditsInputError`.
 *
 * Settling twice returns the first settlement and charges once. A hold released or expired first
 * throws `HoldClosedError` (with its final state); another user's hold `HoldNotFoundError`.
 */
export async function settleCreditHold(input: SettleCreditHoldInput): Promise<CreditHoldSettlement> {
  const { userId, organizationId, holdId, credits, reason, allowOverage } = parseCreditsInput(settleCreditHoldSchema, input);
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  const outcome = expectApplied(
    await runLedger(db, ledger.settle(wallet, holdId, credits, allowOverage ?? false, { reason, actorType: 'user', actorId: userId })),
    { wallet, credits, holdId },
  );
  const hold = outcome.hold!;
  const charged = hold.settledCredits ?? outcome.entry.usedDelta;
  return {
    ...balancesOf(outcome),
    holdId,
    creditsCharged: charged,
    creditsReturned: Math.max(0, hold.credits - charged),
    transactionId: String(outcome.entry.id),
  };
}

/**
 * Gives back everything a hold holds, to the buckets and lots it came from. Releasing twice returns
 * the first result; a hold settled or expired first throws `HoldClosedError`, another user's
 * `HoldNotFoundError`.
 */
export async function releaseCreditHold(input: ReleaseCreditHoldInput): Promise<CreditHoldRelease> {
  const { userId, organizationId, holdId, reason } = parseCreditsInput(releaseCreditHoldSchema, input);
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  const outcome = expectApplied(await runLedger(db, ledger.release(wallet, holdId, { reason, actorType: 'user', actorId: userId })), { wallet, holdId });
  return { ...balancesOf(outcome), holdId, creditsReturned: outcome.hold!.credits, transactionId: String(outcome.entry.id) };
}

/** The hold `withCredits` hands to the work. */
export interface RunningCreditHold extends CreditHold {
  /**
   * Charges what the work really cost now (0 up to the hold, more with `allowOverage`) and returns
   * the rest; `withCredits` then leaves the hold alone. Safe to call twice: the first amount stands.
   */
  settle(credits: number, options?: { allowOverage?: boolean }): Promise<CreditHoldSettlement>;
}

export interface WithCreditsResult<T> {
  result: T;
  settlement: CreditHoldSettlement;
}

/**
 * Runs paid work so that it costs nothing when it fails: reserves `credits`, runs `work`, then
 * settles. The work may charge its real cost with `hold.settle(n)` (an LLM call's token count, say);
 * if it does not, the whole reservation is charged when it returns. When the work throws before
 * settling, the hold is released and the error rethrown; if even the release fails (the database
 * went away), the hold expires by itself and its credits come back.
 */
export async function withCredits<T>(input: ReserveCreditsInput, work: (hold: RunningCreditHold) => Promise<T>): Promise<WithCreditsResult<T>> {
  const reserved = await reserveCredits(input);
  const owner = { userId: input.userId, organizationId: input.organizationId };
  let settlement: Promise<CreditHoldSettlement> | null = null;
  const hold: RunningCreditHold = {
    ...reserved,
    settle: (credits, options = {}) => (settlement ??= settleCreditHold({ ...owner, holdId: reserved.holdId, credits, allowOverage: options.allowOverage })),
  };

  let result: T;
  try {
    result = await work(hold);
  } catch (error) {
    const settled = await (settlement as Promise<CreditHoldSettlement> | null)?.then(
      () => true,
      () => false,
    );
    if (!settled) {
      await releaseCreditHold({ ...owner, holdId: reserved.holdId, reason: 'Work failed: nothing charged' }).catch((releaseError: unknown) => {
        console.error(`[credits] could not release hold ${reserved.holdId}; it expires at ${reserved.expiresAt.toISOString()}`, releaseError);
      });
    }
    throw error;
  }
  return { result, settlement: await (settlement ?? hold.settle(reserved.creditsHeld)) };
}
