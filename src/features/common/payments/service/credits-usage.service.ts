import { and, eq, gte, lt, sql } from 'drizzle-orm';

import { z } from 'zod';

import { appConfig } from '@/config/app';
import { organizationIdSchema, parseServiceInput, userIdSchema } from '@/features/common/payments/service/credits-input.schema';
import { walletOf } from '@/features/common/payments/service/ledger/ledger';
import { assertCanReadWallet } from '@/features/common/payments/service/organizations/membership';
import { getDb } from '@/shared/db/client';
import { creditTransactions } from '@/shared/db/schema';

/*
 * Usage: the ledger entries that spent credits, i.e. with `used_delta > 0` — deductions and settled
 * holds (a settle inherits its hold's feature). The index `credit_transactions_wallet_time_idx` holds
 * (wallet, time, feature, credits) for every entry, so every query here is an index-only scan of the
 * wallet's entries in the window (plans in docs/benchmarks.md).
 */

export interface DailyCreditsUsage {
  /** The UTC day, `YYYY-MM-DD`. */
  date: string;
  credits: number;
}

export interface DailyFeatureUsage extends DailyCreditsUsage {
  /** Credits of the day per feature key; `null` usage (no feature named) under the key `""`. */
  byFeature: Record<string, number>;
}

export interface FeatureUsage {
  /** The feature key deductions named, or null for usage that named none. */
  key: string | null;
  /** From `billing.credits.features`; the key itself when it has no label; "Other" for no key. */
  label: string;
  credits: number;
  /** Of all the window's usage, 0–1. */
  share: number;
}

export interface CreditsUsageReport {
  /** Each UTC day of the window, oldest first, ending today; days without use are zero. */
  days: DailyFeatureUsage[];
  /** Features by credits used, most first. */
  features: FeatureUsage[];
  total: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_DAYS = 366;
export const NO_FEATURE_LABEL = 'Other';

/** The label people see for a feature key. */
export function featureLabel(key: string | null): string {
  if (key === null || key === '') return NO_FEATURE_LABEL;
  return appConfig.billing.credits.features[key] ?? key;
}

const usageSchema = userIdSchema.extend({
  options: z
    .object({
      days: z
        .number()
        .int()
        .min(1)
        .max(MAX_DAYS, { message: `must be at most ${MAX_DAYS}` })
        .default(30),
      now: z
        .date()
        .refine((at) => !Number.isNaN(at.getTime()), { message: 'must be a valid date' })
        .optional(),
      organizationId: organizationIdSchema.nullable(),
    })
    .default({ days: 30 }),
});

/**
 * What a user (or, with `organizationId`, an organisation, for one of its members) spent in each UTC
 * day of the last `days` days (default 30, today included), per feature, and per feature over the
 * whole window with its share. Read-only. Bad arguments throw `InvalidCreditsInputError`.
 */
export async function getCreditsUsageByFeature(
  input: string,
  options: { days?: number; now?: Date; organizationId?: string | null } = {},
): Promise<CreditsUsageReport> {
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
    .select({ date: day, feature: creditTransactions.feature, credits: sql<string | number>`sum(${creditTransactions.usedDelta})` })
    .from(creditTransactions)
    .where(
      and(
        eq(creditTransactions.walletId, wallet.walletId),
        sql`${creditTransactions.usedDelta} > 0`,
        gte(creditTransactions.createdAt, start),
        lt(creditTransactions.createdAt, new Date(endOfToday)),
      ),
    )
    .groupBy(day, creditTransactions.feature);

  const byDay = new Map<string, Record<string, number>>();
  const byFeature = new Map<string, number>();
  let total = 0;
  for (const row of rows) {
    const credits = Number(row.credits);
    const key = row.feature ?? '';
    const features = byDay.get(row.date) ?? {};
    features[key] = (features[key] ?? 0) + credits;
    byDay.set(row.date, features);
    byFeature.set(key, (byFeature.get(key) ?? 0) + credits);
    total += credits;
  }

  return {
    days: Array.from({ length: days }, (_, index) => {
      const date = new Date(start.getTime() + index * DAY_MS).toISOString().slice(0, 10);
      const features = byDay.get(date) ?? {};
      return { date, credits: Object.values(features).reduce((sum, credits) => sum + credits, 0), byFeature: features };
    }),
    features: [...byFeature]
      .map(([key, credits]) => ({ key: key || null, label: featureLabel(key || null), credits, share: total ? credits / total : 0 }))
      // Most used first; ties by label, so the order is stable from one render to the next.
      .sort((a, b) => b.credits - a.credits || a.label.localeCompare(b.label)),
    total,
  };
}

/**
 * The credits a user (or, with `organizationId`, an organisation) spent on each UTC day of the last
 * `days` days (default 30), oldest first and ending today, with 0 for days without use.
 */
export async function getDailyCreditsUsage(
  userId: string,
  options: { days?: number; now?: Date; organizationId?: string | null } = {},
): Promise<DailyCreditsUsage[]> {
  const report = await getCreditsUsageByFeature(userId, options);
  return report.days.map(({ date, credits }) => ({ date, credits }));
}
