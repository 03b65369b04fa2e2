import { and, eq, gte, lt, sql } from 'drizzle-orm';

import { z } from 'zod';

import { organizationIdSchema, parseServiceInput, userIdSchema } from '@/features/common/payments/service/credits-input.schema';
import { walletOf } from '@/features/common/payments/service/ledger/ledger';
import { assertCanReadWallet } from '@/features/common/payments/service/organizations/membership';
import { getDb } from '@/shared/db/client';
import { creditTransactions } from '@/shared/db/schema';

export interface DailyCreditsUsage {
  /** The UTC day, `YYYY-MM-DD`. */
  date: string;
  credits: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_DAYS = 366;

/**
 * The credits a user (or, with `organizationId`, an organisation) spent on each UTC day of the last `days` days (default 30), oldest first and
 * ending today, with 0 for days without use. Read-only: sums deduction entries of the ledger, which
 * the partial index `credit_transactions_wallet_deductions_idx` serves. Bad arguments throw
 * `InvalidCreditsInputError`.
 */
const usageSchema = userIdSchema.extend({
  options: z
    .object({
      days: z.number().int().min(1).max(MAX_DAYS, { message: `must be at most ${MAX_DAYS}` }).default(30),
      now: z.date().optional(),
      organizationId: organizationIdSchema.nullable(),
    })
    .default({ days: 30 }),
});

export async function getDailyCreditsUsage(
  input: string,
  options: { days?: number; now?: Date; organizationId?: string | null } = {},
): Promise<DailyCreditsUsage[]> {
  const {
    userId,
    options: { days, now = new Date(), organizationId },
  } = parseServiceInput(usageSchema, { userId: input, options });
  const endOfToday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS;
  const start = new Date(endOfToday - days * DAY_MS);

  const day = sql<string>`to_char(${creditTransactions.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const db = await getDb();
  const wallet = walletOf({ userId, organizationId });
  await assertCanReadWallet(db, wallet);
  const rows = await db
    .select({ date: day, credits: sql<string | number>`sum(${creditTransactions.usedDelta})` })
    .from(creditTransactions)
    .where(
      and(
        eq(creditTransactions.walletId, wallet.walletId),
        // A literal, not a parameter, so the planner can prove the partial index's predicate.
        sql`${creditTransactions.type} = 'deduction'`,
        gte(creditTransactions.createdAt, start),
        lt(creditTransactions.createdAt, new Date(endOfToday)),
      ),
    )
    .groupBy(day);

  const usedOn = new Map(rows.map((row) => [row.date, Number(row.credits)]));
  return Array.from({ length: days }, (_, index) => {
    const date = new Date(start.getTime() + index * DAY_MS).toISOString().slice(0, 10);
    return { date, credits: usedOn.get(date) ?? 0 };
  });
}
