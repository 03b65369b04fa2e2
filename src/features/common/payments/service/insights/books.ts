import { sql } from 'drizzle-orm';
import { z } from 'zod';

import { parseCreditsInput } from '@/features/common/payments/service/credits-input.schema';
import { getDb, queryRows } from '@/shared/db/client';

/*
 * The operator's books, each figure a sum over the ledger:
 *
 * - Outstanding credits are what wallets still hold, spendable or reserved by an open hold, and not
 *   expired (expired credits count for nothing even before the expiry job has written their
 *   `expiration` entry, as everywhere else). Once the job has run they equal the sum of the ledger's
 *   deltas (purchased + bonus + held), which the tests check.
 * - Deferred revenue is the outstanding purchased credits of each purchase valued at what that purchase
 *   was charged per credit (Stripe's amount, else the price recorded at checkout), per currency.
 *   Purchased credits that came from no purchase (an admin's grant into the purchased bucket, a
 *   correction) have no price and are counted apart.
 * - Each month's figures sum the month's entries (UTC) by type.
 */

export interface CurrencyAmount {
  currency: string;
  amountMinor: number;
}

export interface BooksOutstanding {
  /** Unexpired purchased credits, spendable or held. */
  purchased: number;
  /** Unexpired bonus credits, spendable or held. */
  bonus: number;
  /** Of purchased + bonus, what open holds reserve. */
  held: number;
  /** Outstanding purchased credits from purchases, valued at their purchase price, per currency. */
  deferredRevenue: (CurrencyAmount & { credits: number })[];
  /** Outstanding purchased credits that came from no purchase, so have no price. */
  unpricedPurchased: number;
}

export interface BooksMonth {
  /** `YYYY-MM` (UTC). */
  month: string;
  /** Credits added by purchases. */
  bought: number;
  /** What the purchases were charged, per currency. */
  boughtFor: CurrencyAmount[];
  /** Credits spent: deductions and settled holds. */
  spent: number;
  /** Purchased credits taken back by refunds and lost disputes. */
  refunded: number;
  /** Credits that lapsed. */
  expired: number;
  /** Credits given: admin grants and sign-up bonuses. */
  granted: number;
  /** Admins' corrections, net (negative when more was taken than added). */
  corrected: number;
}

export interface TopSpender {
  walletId: string;
  userId: string | null;
  organizationId: string | null;
  /** The user's email or the organisation's name. */
  name: string;
  credits: number;
}

export interface CreditsBooks {
  asOf: Date;
  outstanding: BooksOutstanding;
  /** Newest first, one per month of the window, months without entries included as zeros. */
  months: BooksMonth[];
  /** By credits spent within the last `spendWindowDays`, most first. */
  topSpenders: TopSpender[];
  spendWindowDays: number;
}

type Row = Record<string, unknown>;
/** A time as a query parameter both drivers take (postgres.js refuses Date objects in raw SQL). */
const at = (date: Date) => sql`${date.toISOString()}::timestamptz`;
const n = (value: unknown) => Number(value ?? 0);
const DAY_MS = 24 * 60 * 60 * 1000;

async function outstanding(now: Date): Promise<BooksOutstanding> {
  const db = await getDb();
  // Per lot: what is left in it (if unexpired), and what open holds took from it (if the hold can
  // still be settled, or its credits would come back to a lot that is still good).
  const rows = await queryRows<Row>(
    db,
    sql`
      with per_lot as (
        select l.id as lot_id, l.credits_left as credits, 0::bigint as held
          from credit_lots l
         where l.credits_left > 0 and (l.expires_at is null or l.expires_at > ${at(now)})
        union all
        select a.lot_id, a.credits, a.credits
          from credit_hold_lots a
          join credit_holds h on h.id = a.hold_id
          join credit_lots l on l.id = a.lot_id
         where h.status = 'open' and (h.expires_at > ${at(now)} or l.expires_at is null or l.expires_at > ${at(now)})
      )
      select l.bucket, p.currency, p.id is not null as priced,
             sum(x.credits)::bigint as credits, sum(x.held)::bigint as held,
             round(sum(x.credits::numeric * coalesce(p.amount_paid_minor, p.amount_minor) / p.credits))::bigint as value
        from per_lot x
        join credit_lots l on l.id = x.lot_id
        left join credit_purchases p on p.id = l.purchase_id
       group by l.bucket, p.currency, p.id is not null`,
  );
  const result: BooksOutstanding = { purchased: 0, bonus: 0, held: 0, deferredRevenue: [], unpricedPurchased: 0 };
  for (const row of rows) {
    const credits = n(row.credits);
    result.held += n(row.held);
    if (row.bucket === 'bonus') {
      result.bonus += credits;
      continue;
    }
    result.purchased += credits;
    if (row.priced) result.deferredRevenue.push({ currency: String(row.currency), amountMinor: n(row.value), credits });
    else result.unpricedPurchased += credits;
  }
  result.deferredRevenue.sort((a, b) => a.currency.localeCompare(b.currency));
  return result;
}

function monthKey(date: Date): string {
  return date.toISOString().slice(0, 7);
}

async function monthly(now: Date, count: number): Promise<BooksMonth[]> {
  const db = await getDb();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (count - 1), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const month = sql`to_char(created_at at time zone 'UTC', 'YYYY-MM')`;
  const [figures, revenue] = await Promise.all([
    queryRows<Row>(
      db,
      sql`
        select ${month} as month,
               coalesce(sum(purchased_delta) filter (where type = 'purchase'), 0) as bought,
               coalesce(sum(used_delta) filter (where used_delta > 0), 0) as spent,
               coalesce(-sum(purchased_delta + bonus_delta) filter (where type = 'refund'), 0) as refunded,
               coalesce(-sum(purchased_delta + bonus_delta) filter (where type = 'expiration'), 0) as expired,
               coalesce(sum(purchased_delta + bonus_delta) filter (where type in ('grant', 'signup_bonus')), 0) as granted,
               coalesce(sum(purchased_delta + bonus_delta) filter (where type = 'correction'), 0) as corrected
          from credit_transactions
         where created_at >= ${at(start)} and created_at < ${at(end)}
         group by 1`,
    ),
    // What each purchase was charged travels in its ledger entry (recorded at fulfilment).
    queryRows<Row>(
      db,
      sql`
        select ${month} as month, metadata ->> 'currency' as currency, sum((metadata ->> 'amountMinor')::bigint) as amount
          from credit_transactions
         where type = 'purchase' and created_at >= ${at(start)} and created_at < ${at(end)}
         group by 1, 2
         order by 2`,
    ),
  ]);
  const byMonth = new Map(figures.map((row) => [String(row.month), row]));
  return Array.from({ length: count }, (_, index) => {
    const key = monthKey(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - index, 1)));
    const row = byMonth.get(key) ?? {};
    return {
      month: key,
      bought: n(row.bought),
      boughtFor: revenue.filter((r) => r.month === key && r.currency).map((r) => ({ currency: String(r.currency), amountMinor: n(r.amount) })),
      spent: n(row.spent),
      refunded: n(row.refunded),
      expired: n(row.expired),
      granted: n(row.granted),
      corrected: n(row.corrected),
    };
  });
}

async function topSpenders(now: Date, days: number, limit: number): Promise<TopSpender[]> {
  const db = await getDb();
  const since = new Date(now.getTime() - days * DAY_MS);
  const rows = await queryRows<Row>(
    db,
    sql`
      select s.wallet_id, s.credits, w.user_id, w.organization_id, coalesce(u.email, u.name, o.name, s.wallet_id) as name
        from (
          select wallet_id, sum(used_delta) as credits
            from credit_transactions
           where used_delta > 0 and created_at >= ${at(since)} and created_at < ${at(now)}
           group by wallet_id
           order by credits desc, wallet_id
           limit ${limit}
        ) s
        join wallets w on w.id = s.wallet_id
        left join users u on u.id = w.user_id
        left join organizations o on o.id = w.organization_id
       order by s.credits desc, s.wallet_id`,
  );
  return rows.map((row) => ({
    walletId: String(row.wallet_id),
    userId: (row.user_id as string | null) ?? null,
    organizationId: (row.organization_id as string | null) ?? null,
    name: String(row.name),
    credits: n(row.credits),
  }));
}

/**
 * The books as of `now`: outstanding credits and deferred revenue, the last `months` months (default
 * 12, this one included) and the top `topSpenders` wallets (default 10) by credits spent in the last
 * `spendWindowDays` days (default 30). Read-only; for admins (the caller authorises).
 */
const booksOptionsSchema = z.object({
  now: z
    .date({ message: 'must be a Date' })
    .refine((at) => !Number.isNaN(at.getTime()), { message: 'must be a valid date' })
    .optional(),
  months: z.number({ message: 'must be a number' }).int({ message: 'must be a whole number' }).min(1).max(120).default(12),
  topSpenders: z.number({ message: 'must be a number' }).int({ message: 'must be a whole number' }).min(1).max(100).default(10),
  spendWindowDays: z.number({ message: 'must be a number' }).int({ message: 'must be a whole number' }).min(1).max(3660).default(30),
});

export async function getCreditsBooks(input: { now?: Date; months?: number; topSpenders?: number; spendWindowDays?: number } = {}): Promise<CreditsBooks> {
  const options = parseCreditsInput(booksOptionsSchema, input);
  const now = options.now ?? new Date();
  const { months, spendWindowDays } = options;
  const [outstandingNow, monthsNow, spenders] = await Promise.all([
    outstanding(now),
    monthly(now, months),
    topSpenders(now, spendWindowDays, options.topSpenders),
  ]);
  return { asOf: now, outstanding: outstandingNow, months: monthsNow, topSpenders: spenders, spendWindowDays };
}
