import { sql } from 'drizzle-orm';

import { queryRows, type Executor } from '@/shared/db/client';

export interface LedgerDrift {
  userId: string;
  balance: { purchased: number; bonus: number; used: number };
  ledger: { purchased: number; bonus: number; used: number };
}

/**
 * Recomputes every balance from the ledger and returns the users whose balance row differs from
 * the sum of their entries (or who have entries but no row). Empty when the books agree.
 * Read-only; safe to run against production at any time.
 */
export async function findLedgerDrift(executor: Executor): Promise<LedgerDrift[]> {
  const rows = await queryRows<Record<string, string | number | null>>(
    executor,
    sql`
      with sums as (
        select user_id, sum(purchased_delta) as purchased, sum(bonus_delta) as bonus, sum(used_delta) as used
        from credit_transactions group by user_id
      )
      select coalesce(b.user_id, s.user_id) as user_id,
             b.purchased as balance_purchased, b.bonus as balance_bonus, b.used as balance_used,
             s.purchased as ledger_purchased, s.bonus as ledger_bonus, s.used as ledger_used
      from credit_balances b
      full join sums s on s.user_id = b.user_id
      where coalesce(b.purchased, 0) <> coalesce(s.purchased, 0)
         or coalesce(b.bonus, 0) <> coalesce(s.bonus, 0)
         or coalesce(b.used, 0) <> coalesce(s.used, 0)
      order by 1`,
  );
  return rows.map((r) => ({
    userId: String(r.user_id),
    balance: { purchased: Number(r.balance_purchased ?? 0), bonus: Number(r.balance_bonus ?? 0), used: Number(r.balance_used ?? 0) },
    ledger: { purchased: Number(r.ledger_purchased ?? 0), bonus: Number(r.ledger_bonus ?? 0), used: Number(r.ledger_used ?? 0) },
  }));
}
