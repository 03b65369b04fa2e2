import { and, asc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { z } from 'zod';

import { appConfig } from '@/config/app';
import { organizationIdSchema, parseCreditsInput, storableString, userIdSchema } from '@/features/common/payments/service/credits-input.schema';
import { expectApplied, ledger, runLedger, walletOf } from '@/features/common/payments/service/ledger/ledger';
import { assertCanReadWallet } from '@/features/common/payments/service/organizations/membership';
import { getDb, queryRows, type Executor } from '@/shared/db/client';
import { creditLots, type CreditBucket, type CreditLotSource } from '@/shared/db/schema';

/*
 * Lots seen from outside the ledger: what is left in each, when it expires, the next expiry; and the
 * two things done to lots besides spending them — an admin ending one early, and the reminder
 * before one expires.
 */

export interface CreditLotView {
  id: string;
  bucket: CreditBucket;
  source: CreditLotSource;
  creditsGranted: number;
  creditsLeft: number;
  /** Null: never expires. */
  expiresAt: Date | null;
  createdAt: Date;
}

/**
 * A wallet's lots that still hold credits and have not expired, in spending order (bonus first,
 * soonest-expiring first, never-expiring last). The user's own, or with `organizationId` the
 * organisation's, for a member.
 */
export async function listCreditLots(input: string, options: { organizationId?: string | null } = {}): Promise<CreditLotView[]> {
  const { userId, organizationId } = parseCreditsInput(userIdSchema.extend({ organizationId: organizationIdSchema.nullable() }), {
    userId: input,
    organizationId: options.organizationId ?? null,
  });
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  await assertCanReadWallet(db, wallet);
  return db
    .select({
      id: creditLots.id,
      bucket: creditLots.bucket,
      source: creditLots.source,
      creditsGranted: creditLots.creditsGranted,
      creditsLeft: creditLots.creditsLeft,
      expiresAt: creditLots.expiresAt,
      createdAt: creditLots.createdAt,
    })
    .from(creditLots)
    .where(and(eq(creditLots.walletId, wallet.walletId), gt(creditLots.creditsLeft, 0), or(isNull(creditLots.expiresAt), gt(creditLots.expiresAt, sql`now()`))))
    .orderBy(sql`${creditLots.bucket} = 'purchased'`, sql`${creditLots.expiresAt} asc nulls last`, asc(creditLots.createdAt), asc(creditLots.id));
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The next credits to expire: the first (UTC) day on which some of the lots expire, when the first
 * of them does, and how many credits go that day.
 */
export function nextExpiry(lots: CreditLotView[]): { expiresAt: Date; credits: number } | null {
  const expiring = lots.filter((lot) => lot.expiresAt && lot.creditsLeft > 0);
  if (expiring.length === 0) return null;
  const soonest = Math.min(...expiring.map((lot) => lot.expiresAt!.getTime()));
  const day = Math.floor(soonest / DAY_MS);
  const credits = expiring.filter((lot) => Math.floor(lot.expiresAt!.getTime() / DAY_MS) === day).reduce((sum, lot) => sum + lot.creditsLeft, 0);
  return { expiresAt: new Date(soonest), credits };
}

const endLotSchema = z.object({
  adminId: userIdSchema.shape.userId,
  userId: userIdSchema.shape.userId.optional(),
  organizationId: organizationIdSchema,
  lotId: z.uuid({ message: 'must be a lot id' }),
  reason: storableString().trim().min(1, { message: 'must not be empty' }).max(500, { message: 'must be at most 500 characters' }),
});

/**
 * An admin ends a lot early: what is left in it goes out in one `expiration` entry with the admin as
 * actor and the reason, and credits held from it lapse when their hold gives them back. Ending a lot
 * twice writes nothing the second time. `LotNotFoundError` for a lot not in that wallet.
 */
export async function endCreditLot(input: z.input<typeof endLotSchema>): Promise<{ creditsEnded: number; creditsBalance: number }> {
  const { adminId, userId, organizationId, lotId, reason } = parseCreditsInput(
    endLotSchema.refine((value) => value.userId || value.organizationId, { message: 'needs a userId or an organizationId', path: ['userId'] }),
    input,
  );
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  const outcome = await runLedger(db, ledger.endLot(wallet, lotId, { reason, actorType: 'admin', actorId: adminId }));
  if (outcome.status === 'ok' && !outcome.entry) return { creditsEnded: 0, creditsBalance: outcome.available ?? 0 };
  const applied = expectApplied(outcome, { wallet, lotId });
  return { creditsEnded: -(applied.entry.bonusDelta + applied.entry.purchasedDelta), creditsBalance: applied.available ?? 0 };
}

/**
 * Queues one reminder email and one `onCreditsExpiring` call for every lot that expires within
 * `expiryReminderDays` and still holds at least `expiryReminderMinCredits`, once per lot: the lot is
 * marked and its jobs written in one statement. Returns how many lots it queued.
 */
export async function queueExpiryReminders(executor: Executor): Promise<number> {
  const { expiryReminderDays: days, expiryReminderMinCredits: minCredits } = appConfig.billing.credits;
  if (days <= 0) return 0;
  const rows = await queryRows<{ n: number | string }>(
    executor,
    sql`
      with due as (
        update credit_lots l set reminder_queued_at = now()
         where l.credits_left >= ${minCredits}::bigint and l.expires_at > now()
           and l.expires_at <= now() + make_interval(days => ${days}::int) and l.reminder_queued_at is null
        returning l.id, l.wallet_id, l.bucket, l.credits_left, l.expires_at
      ), queued as (
        insert into jobs (kind, reference, wallet_id, payload)
        select kind::job_kind, kind || ':' || due.id, due.wallet_id,
               jsonb_build_object('lotId', due.id, 'walletId', due.wallet_id, 'bucket', due.bucket, 'credits', due.credits_left, 'expiresAt', due.expires_at)
          from due cross join (values ('expiry_reminder'), ('expiring_callback')) as k(kind)
        on conflict (kind, reference) do nothing
        returning 1
      )
      select count(*) as n from due`,
  );
  return Number(rows[0]?.n ?? 0);
}
