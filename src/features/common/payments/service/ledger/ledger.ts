import { runJobsSoon } from '@/features/common/payments/service/jobs/jobs';
import { sql, type SQL } from 'drizzle-orm';

import {
  CreditsBalanceLimitError,
  HoldClosedError,
  HoldNotFoundError,
  IdempotencyConflictError,
  InsufficientCreditsError,
  InvalidCreditsInputError,
  LotNotFoundError,
  MemberCapExceededError,
  NotOrganizationMemberError,
  OrganizationNotFoundError,
  UserNotFoundError,
  type ClosedHoldState,
} from '@/features/common/payments/service/credits-errors';
import { PG_CHECK_VIOLATION, pgErrorCode, queryRows, type Executor, type Statement } from '@/shared/db/client';
import type { CreditActorType, CreditBucket, CreditHoldStatus, CreditLotSource, CreditTransactionType } from '@/shared/db/schema';

/*
 * The ledger's only door. Every change to credits is one call to a `credits_*` SQL function
 * (drizzle/0009_ledger_functions.sql): it locks the wallet's balance row, changes the row, its lots
 * and holds, and appends the ledger entries, in one round trip and one transaction. The builders
 * below name those calls; `runLedger` runs one and `expectApplied` turns its status into a typed
 * error. They take an `Executor`, so a call can join a caller's transaction (fulfilment).
 */

/** The wallet a call acts on, and for an organisation's wallet the member acting (checked in SQL). */
export interface WalletRef {
  walletId: string;
  userId: string | null;
  organizationId: string | null;
  /** The member whose membership and monthly cap the call is checked against; null for personal wallets. */
  memberId: string | null;
}

export const personalWalletId = (userId: string) => `user:${userId}`;
export const organizationWalletId = (organizationId: string) => `org:${organizationId}`;

/**
 * The wallet of `userId` (personal), or of `organizationId` spent by `userId` as a member. The
 * membership is checked by the ledger function in the same statement as the change.
 */
export function walletOf(owner: { userId?: string | null; organizationId?: string | null }): WalletRef {
  if (owner.organizationId) {
    return {
      walletId: organizationWalletId(owner.organizationId),
      userId: owner.userId ?? null,
      organizationId: owner.organizationId,
      memberId: owner.userId ?? null,
    };
  }
  return { walletId: personalWalletId(owner.userId!), userId: owner.userId!, organizationId: null, memberId: null };
}

export type LedgerStatus =
  | 'ok'
  | 'replayed'
  | 'conflict'
  | 'insufficient'
  | 'no_wallet'
  | 'not_member'
  | 'cap_exceeded'
  | 'hold_not_found'
  | 'hold_closed'
  | 'over_held'
  | 'lot_not_found'
  /** `deductAcross` only: another transaction held the wallet, nothing was written; the queue sends the call again. */
  | 'busy';

export interface LedgerBalances {
  purchased: number;
  bonus: number;
  held: number;
  used: number;
}

export interface LedgerHold {
  id: string;
  status: CreditHoldStatus;
  credits: number;
  fromBonus: number;
  fromPurchased: number;
  settledCredits: number | null;
  expiresAt: Date;
  closedAt: Date | null;
}

export interface LedgerOutcome {
  status: LedgerStatus;
  /** The entry written (or, for a replay, the first call's entry); null when nothing was written. */
  entry: { id: number; type: CreditTransactionType; createdAt: Date; purchasedDelta: number; bonusDelta: number; heldDelta: number; usedDelta: number } | null;
  /** The wallet's balances after the entry; null without one. */
  balances: LedgerBalances | null;
  /** What the wallet can spend after the call. */
  available: number | null;
  hold: LedgerHold | null;
  lotId: string | null;
  detail: Record<string, unknown> | null;
}

type Row = Record<string, unknown>;

const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const date = (value: unknown) => (value === null || value === undefined ? null : value instanceof Date ? value : new Date(String(value)));
const json = (value: unknown) =>
  typeof value === 'string' ? (JSON.parse(value) as Record<string, unknown>) : ((value as Record<string, unknown> | null) ?? null);

function toOutcome(row: Row): LedgerOutcome {
  const hasEntry = row.entry_id !== null && row.entry_id !== undefined;
  return {
    status: row.status as LedgerStatus,
    entry: hasEntry
      ? {
          id: Number(row.entry_id),
          type: row.entry_type as CreditTransactionType,
          createdAt: date(row.created_at)!,
          purchasedDelta: Number(row.purchased_delta),
          bonusDelta: Number(row.bonus_delta),
          heldDelta: Number(row.held_delta),
          usedDelta: Number(row.used_delta),
        }
      : null,
    balances:
      row.purchased === null || row.purchased === undefined
        ? null
        : { purchased: Number(row.purchased), bonus: Number(row.bonus), held: Number(row.held), used: Number(row.used) },
    available: num(row.available),
    hold: row.hold_id
      ? {
          id: String(row.hold_id),
          status: row.hold_status as CreditHoldStatus,
          credits: Number(row.hold_credits),
          fromBonus: Number(row.hold_from_bonus),
          fromPurchased: Number(row.hold_from_purchased),
          settledCredits: num(row.hold_settled_credits),
          expiresAt: date(row.hold_expires_at)!,
          closedAt: date(row.hold_closed_at),
        }
      : null,
    lotId: (row.lot_id as string | null) ?? null,
    detail: json(row.detail),
  };
}

/** Runs one ledger call and returns its outcome; a balance beyond the safe range is `CreditsBalanceLimitError`. */
export async function runLedger(executor: Executor, call: SQL | Statement): Promise<LedgerOutcome> {
  const [outcome] = await runLedgerMany(executor, call);
  return outcome!;
}

/** Runs a ledger call that answers with one outcome per request it carried (`ledger.deductMany`). */
export async function runLedgerMany(executor: Executor, call: SQL | Statement): Promise<LedgerOutcome[]> {
  try {
    const outcomes = (await queryRows<Row>(executor, call, { prepared: true })).map(toOutcome);
    // Spending may have crossed a low-balance threshold, whose alert the statement queued as a job.
    if (outcomes.some((o) => o.status === 'ok' && o.entry && o.entry.purchasedDelta + o.entry.bonusDelta < 0)) runJobsSoon();
    return outcomes;
  } catch (error) {
    // Only the range check is the caller's doing; any other refused constraint would be our bug.
    if (pgErrorCode(error) === PG_CHECK_VIOLATION && String((error as Error).cause ?? error).includes('credit_balances_within_safe_integers')) {
      throw new CreditsBalanceLimitError({ cause: error });
    }
    throw error;
  }
}

/** What the refused call was, for the error it becomes. */
export interface RefusalContext {
  wallet: WalletRef;
  credits?: number;
  idempotencyKey?: string | null;
  holdId?: string;
  lotId?: string;
}

function closedHold(hold: LedgerHold): ClosedHoldState {
  return {
    holdId: hold.id,
    status: hold.status as ClosedHoldState['status'],
    creditsHeld: hold.credits,
    creditsCharged: hold.settledCredits,
    closedAt: hold.closedAt,
  };
}

/**
 * The outcome of a call that changed something (or replayed the first call that did), with its
 * entry; any other status becomes the typed error it stands for.
 */
export function expectApplied(outcome: LedgerOutcome, context: RefusalContext): LedgerOutcome & { entry: NonNullable<LedgerOutcome['entry']> } {
  const { wallet } = context;
  switch (outcome.status) {
    case 'ok':
    case 'replayed':
      if (outcome.entry) return outcome as LedgerOutcome & { entry: NonNullable<LedgerOutcome['entry']> };
      throw new Error(`Ledger call answered ${outcome.status} without an entry`);
    case 'conflict':
      throw new IdempotencyConflictError(context.idempotencyKey ?? '');
    case 'insufficient':
      throw new InsufficientCreditsError(Number(outcome.detail?.required ?? context.credits ?? 0), outcome.available ?? 0);
    case 'no_wallet':
      if (wallet.organizationId) throw new OrganizationNotFoundError(wallet.organizationId);
      throw new UserNotFoundError(wallet.userId ?? wallet.walletId);
    case 'not_member':
      throw new NotOrganizationMemberError(wallet.memberId ?? '', wallet.organizationId ?? '');
    case 'cap_exceeded':
      throw new MemberCapExceededError(context.credits ?? 0, Number(outcome.detail?.cap ?? 0), Number(outcome.detail?.used ?? 0));
    case 'hold_not_found':
      throw new HoldNotFoundError(context.holdId ?? '');
    case 'hold_closed':
      throw new HoldClosedError(closedHold(outcome.hold!));
    case 'over_held':
      throw new InvalidCreditsInputError([
        { path: 'credits', message: `must be at most the ${outcome.hold?.credits ?? 0} credits held (pass allowOverage: true to charge more)` },
      ]);
    case 'lot_not_found':
      throw new LotNotFoundError(context.lotId ?? '');
    case 'busy':
      throw new Error('A deduction answered busy reached its caller: the deduction queue sends those again');
    default: {
      const unreachable: never = outcome.status;
      throw new Error(`Unknown ledger status ${String(unreachable)}`);
    }
  }
}

/** Who made a change, what for, and how a retry of it is recognised. */
export interface EntryContext {
  reason: string;
  actorType: CreditActorType;
  actorId?: string | null;
  idempotencyKey?: string | null;
  /** What the keyed request asked for; a reused key must come with the same fingerprint. */
  requestFingerprint?: string | null;
  metadata?: Record<string, unknown> | null;
  feature?: string | null;
}

/** The fingerprint of a keyed request: its operation and every argument that shapes the result. */
export function fingerprint(operation: string, ...parts: unknown[]): string {
  return JSON.stringify([operation, ...parts]);
}

const jsonb = (value: Record<string, unknown> | null | undefined) => sql`${value ? JSON.stringify(value) : null}::jsonb`;
const actor = (ctx: EntryContext) => sql`${ctx.actorType}::credit_actor_type, ${ctx.actorId ?? null}`;

export interface StripeRefs {
  purchaseId?: string | null;
  stripeCheckoutSessionId?: string | null;
  stripePaymentIntentId?: string | null;
  stripeEventId?: string | null;
}

/**
 * The columns of an outcome a deduction can carry: a deduction never has a hold or a lot, so their
 * ten columns stay on the server (the driver parses each column of each row: fewer is less CPU on the
 * hot path; `toOutcome` reads a missing one as null).
 */
const DEDUCTION_COLUMNS =
  'status, entry_id, entry_type, created_at, purchased_delta, bonus_delta, held_delta, used_delta, purchased, bonus, held, used, available, detail';

/**
 * The deduction as Postgres receives it: fixed text, prepared once per connection, only the
 * parameters change. It is the hot path, so it is written out rather than built per call
 * (`npm run bench:credits` runs this same text through pgbench for the floor).
 */
export const DEDUCT_STATEMENT = `select ${DEDUCTION_COLUMNS} from credits_deduct($1, $2::bigint, $3, $4::credit_actor_type, $5, $6, $7, $8::jsonb, $9, $10)`;

const DEDUCT_MANY_STATEMENT = `select ${DEDUCTION_COLUMNS} from credits_deduct_many($1, $2::jsonb)`;
const DEDUCT_ACROSS_STATEMENT = `select ${DEDUCTION_COLUMNS} from credits_deduct_across($1::jsonb)`;

/** One deduction as the batched statements carry it. */
export interface DeductionCall {
  wallet: WalletRef;
  credits: number;
  ctx: EntryContext;
}

const callOf = ({ wallet, credits, ctx }: DeductionCall) => ({
  credits,
  reason: ctx.reason,
  actorType: ctx.actorType,
  actorId: ctx.actorId ?? null,
  key: ctx.idempotencyKey ?? null,
  fingerprint: ctx.requestFingerprint ?? null,
  metadata: ctx.metadata ?? null,
  feature: ctx.feature ?? null,
  member: wallet.memberId,
});

/** Calls of the ledger functions, one per operation. */
export const ledger = {
  deduct: (wallet: WalletRef, credits: number, ctx: EntryContext): Statement => ({
    sql: DEDUCT_STATEMENT,
    params: [
      wallet.walletId,
      credits,
      ctx.reason,
      ctx.actorType,
      ctx.actorId ?? null,
      ctx.idempotencyKey ?? null,
      ctx.requestFingerprint ?? null,
      ctx.metadata ? JSON.stringify(ctx.metadata) : null,
      ctx.feature ?? null,
      wallet.memberId,
    ],
  }),

  /** Many deductions from one wallet in one statement, applied in order (see `deduction-queue.ts`). */
  deductMany: (walletId: string, calls: DeductionCall[]): Statement => ({ sql: DEDUCT_MANY_STATEMENT, params: [walletId, JSON.stringify(calls.map(callOf))] }),

  /**
   * Deductions from several wallets in one statement, each wallet's in order as `deductMany` applies
   * them; a wallet another transaction holds answers `busy` for each of its calls, writing nothing.
   */
  deductAcross: (groups: { walletId: string; calls: DeductionCall[] }[]): Statement => ({
    sql: DEDUCT_ACROSS_STATEMENT,
    params: [JSON.stringify(groups.map(({ walletId, calls }) => ({ wallet: walletId, calls: calls.map(callOf) })))],
  }),

  add: (
    wallet: WalletRef,
    lot: { type: CreditTransactionType; bucket: CreditBucket; source: CreditLotSource; credits: number; expiresAt?: Date | null },
    ctx: EntryContext,
    refs: StripeRefs = {},
  ) => sql`
    select * from credits_add(${wallet.walletId}, ${lot.type}::credit_transaction_type, ${lot.bucket}::credit_bucket,
      ${lot.source}::credit_lot_source, ${lot.credits}::bigint, ${lot.expiresAt?.toISOString() ?? null}::timestamptz,
      ${ctx.reason}, ${actor(ctx)}, ${ctx.idempotencyKey ?? null}, ${ctx.requestFingerprint ?? null}, ${jsonb(ctx.metadata)},
      ${refs.purchaseId ?? null}::uuid, ${refs.stripeCheckoutSessionId ?? null}, ${refs.stripePaymentIntentId ?? null}, ${refs.stripeEventId ?? null})`,

  reverse: (wallet: WalletRef, credits: number, ctx: EntryContext, refs: StripeRefs) => sql`
    select * from credits_reverse(${wallet.walletId}, ${credits}::bigint, ${refs.purchaseId ?? null}::uuid, ${ctx.reason}, ${actor(ctx)},
      ${jsonb(ctx.metadata)}, ${refs.stripeCheckoutSessionId ?? null}, ${refs.stripePaymentIntentId ?? null}, ${refs.stripeEventId ?? null})`,

  hold: (wallet: WalletRef, credits: number, expiresAt: Date, ctx: EntryContext) => sql`
    select * from credits_hold(${wallet.walletId}, ${credits}::bigint, ${expiresAt.toISOString()}::timestamptz, ${ctx.reason}, ${actor(ctx)},
      ${ctx.idempotencyKey ?? null}, ${ctx.requestFingerprint ?? null}, ${jsonb(ctx.metadata)}, ${ctx.feature ?? null}, ${wallet.memberId})`,

  settle: (wallet: WalletRef, holdId: string, credits: number, allowOverage: boolean, ctx: Omit<EntryContext, 'reason'> & { reason?: string | null }) => sql`
    select * from credits_settle(${wallet.walletId}, ${holdId}::uuid, ${credits}::bigint, ${allowOverage}, ${ctx.reason ?? null},
      ${ctx.actorType}::credit_actor_type, ${ctx.actorId ?? null}, ${jsonb(ctx.metadata)})`,

  release: (wallet: WalletRef, holdId: string, ctx: Omit<EntryContext, 'reason'> & { reason?: string | null }) => sql`
    select * from credits_release(${wallet.walletId}, ${holdId}::uuid, ${ctx.reason ?? null}, ${ctx.actorType}::credit_actor_type,
      ${ctx.actorId ?? null}, ${jsonb(ctx.metadata)})`,

  /**
   * An admin's correction of one bucket: `credits` < 0 takes them out of the bucket's spendable lots
   * (refused, nothing written, unless the bucket covers it: never below zero), > 0 adds a lot of
   * source `correction`. One `correction` entry with the admin as actor.
   */
  correct: (wallet: WalletRef, bucket: CreditBucket, credits: number, ctx: Omit<EntryContext, 'actorType' | 'feature'> & { actorId: string }) => sql`
    select * from credits_correct(${wallet.walletId}, ${bucket}::credit_bucket, ${credits}::bigint, ${ctx.reason}, ${ctx.actorId},
      ${ctx.idempotencyKey ?? null}, ${ctx.requestFingerprint ?? null}, ${jsonb(ctx.metadata)})`,

  endLot: (wallet: WalletRef, lotId: string, ctx: EntryContext) => sql`
    select * from credits_end_lot(${wallet.walletId}, ${lotId}::uuid, ${ctx.reason}, ${actor(ctx)})`,
};

/** Expires whatever of a wallet is due (holds, then lots); returns how many it expired. */
export async function sweepWallet(executor: Executor, walletId: string): Promise<number> {
  const [row] = await queryRows<{ swept: number | string }>(executor, sql`select credits_sweep(${walletId}) as swept`);
  return Number(row?.swept ?? 0);
}

/** A wallet's balances as they are now (expired lots and holds already left out), or null when there is no such wallet. */
export async function readBalances(executor: Executor, walletId: string): Promise<LedgerBalances | null> {
  const [row] = await queryRows<Row>(executor, sql`select * from credits_read(${walletId})`, { prepared: true });
  return row ? { purchased: Number(row.purchased), bonus: Number(row.bonus), held: Number(row.held), used: Number(row.used) } : null;
}
