import { and, eq, sql, type SQL } from 'drizzle-orm';

import {
  CreditsBalanceLimitError,
  IdempotencyConflictError,
  UserNotFoundError,
} from '@/features/common/payments/service/credits-errors';
import {
  PG_CHECK_VIOLATION,
  PG_FOREIGN_KEY_VIOLATION,
  PG_UNIQUE_VIOLATION,
  pgErrorCode,
  queryRows,
  type Executor,
} from '@/shared/db/client';
import { creditTransactions, type CreditActorType, type CreditTransactionType } from '@/shared/db/schema';

/*
 * The ledger's write path: each operation is ONE SQL statement that changes the balance row and
 * appends its ledger entry together, so they commit or fail as one and the row lock is held only
 * while the statement runs. Functions take an `Executor`, so they work on the database or inside a
 * caller's transaction (webhook fulfilment), on postgres.js and on PGlite alike.
 */

export interface LedgerEntry {
  id: number;
  userId: string;
  type: CreditTransactionType;
  purchasedDelta: number;
  bonusDelta: number;
  usedDelta: number;
  purchasedAfter: number;
  bonusAfter: number;
  usedAfter: number;
  reason: string;
  actorType: CreditActorType;
  actorId: string | null;
  idempotencyKey: string | null;
  requestFingerprint: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: Date;
}

export interface EntryContext {
  userId: string;
  reason: string;
  actorType: CreditActorType;
  actorId?: string | null;
  idempotencyKey?: string | null;
  /** What the request asked for; a reused idempotency key must match it. */
  requestFingerprint?: string | null;
  metadata?: Record<string, unknown> | null;
  stripeCheckoutSessionId?: string | null;
  stripePaymentIntentId?: string | null;
  stripeEventId?: string | null;
}

type EntryRow = Record<string, unknown>;

function toEntry(row: EntryRow): LedgerEntry {
  return {
    id: Number(row.id),
    userId: String(row.user_id),
    type: row.type as CreditTransactionType,
    purchasedDelta: Number(row.purchased_delta),
    bonusDelta: Number(row.bonus_delta),
    usedDelta: Number(row.used_delta),
    purchasedAfter: Number(row.purchased_after),
    bonusAfter: Number(row.bonus_after),
    usedAfter: Number(row.used_after),
    reason: String(row.reason),
    actorType: row.actor_type as CreditActorType,
    actorId: (row.actor_id as string | null) ?? null,
    idempotencyKey: (row.idempotency_key as string | null) ?? null,
    requestFingerprint: (row.request_fingerprint as string | null) ?? null,
    metadata: (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata) as Record<string, unknown> | null,
    createdAt: row.created_at instanceof Date ? row.created_at : new Date(String(row.created_at)),
  };
}

/** The `INSERT … SELECT` that appends an entry from the `updated` CTE's balances. */
function appendEntry(
  type: CreditTransactionType,
  ctx: EntryContext,
  deltas: { purchased: SQL; bonus: SQL; used: SQL },
  /** A jsonb expression merged into the metadata, for facts only the statement knows. */
  computedMetadata?: SQL,
): SQL {
  const metadata = sql`${ctx.metadata ? JSON.stringify(ctx.metadata) : null}::jsonb`;
  return sql`
    insert into credit_transactions (
      user_id, type, purchased_delta, bonus_delta, used_delta, purchased_after, bonus_after, used_after,
      reason, actor_type, actor_id, idempotency_key, request_fingerprint, metadata,
      stripe_checkout_session_id, stripe_payment_intent_id, stripe_event_id
    )
    select ${ctx.userId}, ${type}::credit_transaction_type, ${deltas.purchased}, ${deltas.bonus}, ${deltas.used},
      updated.purchased, updated.bonus, updated.used,
      ${ctx.reason}, ${ctx.actorType}::credit_actor_type, ${ctx.actorId ?? null}, ${ctx.idempotencyKey ?? null},
      ${ctx.requestFingerprint ?? null}, ${computedMetadata ? sql`coalesce(${metadata}, '{}'::jsonb) || ${computedMetadata}` : metadata},
      ${ctx.stripeCheckoutSessionId ?? null}, ${ctx.stripePaymentIntentId ?? null}, ${ctx.stripeEventId ?? null}
    from updated
    returning *`;
}

/** The CTE `current`: the user's balance row, locked (see `deductionStatement`). */
function lockedBalance(userId: string): SQL {
  return sql`current as materialized (select user_id, purchased, bonus, used from credit_balances where user_id = ${userId} for update)`;
}

/**
 * The bonus-first deduction as one statement, so the row lock is held only while it runs:
 *
 * - `current` locks the user's balance row. Under READ COMMITTED, `FOR UPDATE` waits for any other
 *   writer and then yields the latest committed version, which nobody can change until we commit.
 * - `split` takes bonus first, then purchased, and yields no row unless bonus + purchased covers
 *   the cost: then nothing below runs and the statement returns nothing.
 * - `updated` writes balances computed only from `current` (not from the scanned target row, whose
 *   version the statement's snapshot may have fixed earlier), and the ledger entry follows from it.
 */
export function deductionStatement(credits: number, ctx: EntryContext): SQL {
  const cost = sql`${credits}::bigint`;
  return sql`
    with ${lockedBalance(ctx.userId)}, split as (
      select user_id, purchased, bonus, used, least(bonus, ${cost}) as from_bonus, ${cost} - least(bonus, ${cost}) as from_purchased
      from current
      where bonus + purchased >= ${cost}
    ), updated as (
      update credit_balances b
      set bonus = split.bonus - split.from_bonus,
          purchased = split.purchased - split.from_purchased,
          used = split.used + ${cost},
          updated_at = now()
      from split
      where b.user_id = split.user_id
      returning b.purchased, b.bonus, b.used, split.from_bonus, split.from_purchased
    )
    ${appendEntry('deduction', ctx, { purchased: sql`-updated.from_purchased`, bonus: sql`-updated.from_bonus`, used: cost })}`;
}

/**
 * Takes back up to `credits` purchased credits (a refund): as many as the user still has, never
 * below zero. The entry's metadata records `creditsShortfall`, what could not be taken back because
 * it was already spent. Locks and computes like `deductionStatement`.
 */
export function reversalStatement(credits: number, ctx: EntryContext): SQL {
  const wanted = sql`${credits}::bigint`;
  return sql`
    with ${lockedBalance(ctx.userId)}, split as (
      select user_id, purchased, bonus, used, least(purchased, ${wanted}) as taken from current
    ), updated as (
      update credit_balances b
      set purchased = split.purchased - split.taken, updated_at = now()
      from split
      where b.user_id = split.user_id
      returning b.purchased, b.bonus, b.used, split.taken
    )
    ${appendEntry(
      'refund',
      ctx,
      { purchased: sql`-updated.taken`, bonus: sql`0::bigint`, used: sql`0::bigint` },
      sql`jsonb_build_object('creditsShortfall', ${wanted} - updated.taken)`,
    )}`;
}

/** Adds credits to one bucket, creating the balance row on a user's first credit. */
export function creditStatement(type: CreditTransactionType, bucket: 'purchased' | 'bonus', credits: number, ctx: EntryContext): SQL {
  const purchased = bucket === 'purchased' ? credits : 0;
  const bonus = bucket === 'bonus' ? credits : 0;
  return sql`
    with updated as (
      insert into credit_balances as b (user_id, purchased, bonus)
      values (${ctx.userId}, ${purchased}::bigint, ${bonus}::bigint)
      on conflict (user_id) do update
        set purchased = b.purchased + excluded.purchased, bonus = b.bonus + excluded.bonus, updated_at = now()
      returning b.purchased, b.bonus, b.used
    )
    ${appendEntry(type, ctx, { purchased: sql`${purchased}::bigint`, bonus: sql`${bonus}::bigint`, used: sql`0::bigint` })}`;
}

/**
 * Runs a ledger statement and maps the database's refusals to typed errors. Returns the entry, or
 * `null` when the statement's condition held it back (a deduction the balance does not cover).
 */
export async function runLedgerStatement(executor: Executor, statement: SQL, userId: string): Promise<LedgerEntry | null> {
  try {
    const [row] = await queryRows<EntryRow>(executor, statement, { prepared: true });
    return row ? toEntry(row) : null;
  } catch (error) {
    const code = pgErrorCode(error);
    if (code === PG_FOREIGN_KEY_VIOLATION) throw new UserNotFoundError(userId, { cause: error });
    // Only the range check is the caller's doing; a tripped non-negative check would be our bug.
    if (code === PG_CHECK_VIOLATION && String((error as Error).cause ?? error).includes('credit_balances_within_safe_integers')) {
      throw new CreditsBalanceLimitError({ cause: error });
    }
    throw error;
  }
}

export async function findEntryByIdempotencyKey(executor: Executor, userId: string, idempotencyKey: string): Promise<LedgerEntry | null> {
  const [row] = await executor
    .select()
    .from(creditTransactions)
    .where(and(eq(creditTransactions.userId, userId), eq(creditTransactions.idempotencyKey, idempotencyKey)))
    .limit(1);
  if (!row) return null;
  return {
    ...row,
    metadata: row.metadata ?? null,
  };
}

/**
 * Applies a keyed ledger operation once. A call whose key is already in the ledger returns that
 * entry (and changes nothing); so does the loser of a concurrent race for the same key, whose
 * statement the unique index rolls back whole. The same key with another request is a conflict.
 */
export async function applyOnce(
  executor: Executor,
  ctx: Pick<EntryContext, 'userId' | 'idempotencyKey' | 'requestFingerprint'>,
  apply: () => Promise<LedgerEntry | null>,
): Promise<LedgerEntry | null> {
  const key = ctx.idempotencyKey;
  if (!key) return apply();

  const replay = (entry: LedgerEntry) => {
    if (entry.requestFingerprint !== (ctx.requestFingerprint ?? null)) throw new IdempotencyConflictError(key);
    return entry;
  };
  const earlier = await findEntryByIdempotencyKey(executor, ctx.userId, key);
  if (earlier) return replay(earlier);
  try {
    const entry = await apply();
    if (entry) return entry;
    // Held back (not enough credits) — perhaps because a concurrent call with this key spent them
    // first. Then that call's result is ours too.
    const winner = await findEntryByIdempotencyKey(executor, ctx.userId, key);
    return winner ? replay(winner) : null;
  } catch (error) {
    if (pgErrorCode(error) !== PG_UNIQUE_VIOLATION) throw error;
    const winner = await findEntryByIdempotencyKey(executor, ctx.userId, key);
    if (!winner) throw error;
    return replay(winner);
  }
}
