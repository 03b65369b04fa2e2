import { sql } from 'drizzle-orm';

import { queryRows, type Executor } from '@/shared/db/client';

export interface LedgerDrift {
  walletId: string;
  /** Which rule failed: the balance row against its entries, its buckets against its lots, or `held` against its open holds. */
  check: 'entries' | 'lots' | 'holds';
  balance: { purchased: number; bonus: number; held: number; used: number };
  /** What the check recomputed: the sums of the entries, of the lots (purchased, bonus) or of the open holds (held). */
  expected: { purchased: number; bonus: number; held: number; used: number };
}

/**
 * Recomputes every wallet three ways and returns each disagreement; empty when the books agree:
 * - the balance row equals the sum of the wallet's ledger entries (purchased, bonus, held, used);
 * - `purchased` and `bonus` equal the credits left in the wallet's lots of each bucket;
 * - `held` equals the credits of the wallet's open holds, and each open hold's lots add up to it.
 * Read-only; safe to run against production at any time.
 */
export async function findLedgerDrift(executor: Executor): Promise<LedgerDrift[]> {
  const rows = await queryRows<Record<string, string | number | null>>(
    executor,
    sql`
      with entries as (
        select wallet_id, sum(purchased_delta) as purchased, sum(bonus_delta) as bonus, sum(held_delta) as held, sum(used_delta) as used
        from credit_transactions group by wallet_id
      ), lots as (
        select wallet_id, sum(credits_left) filter (where bucket = 'purchased') as purchased, sum(credits_left) filter (where bucket = 'bonus') as bonus
        from credit_lots group by wallet_id
      ), holds as (
        select h.wallet_id, sum(h.credits) as held, bool_and(h.credits = (select coalesce(sum(a.credits), 0) from credit_hold_lots a where a.hold_id = h.id)) as parts_match
        from credit_holds h where h.status = 'open' group by h.wallet_id
      ), wallets_seen as (
        select wallet_id from credit_balances union select wallet_id from entries union select wallet_id from lots union select wallet_id from holds
      ), joined as (
        select w.wallet_id,
               coalesce(b.purchased, 0) as b_purchased, coalesce(b.bonus, 0) as b_bonus, coalesce(b.held, 0) as b_held, coalesce(b.used, 0) as b_used,
               coalesce(e.purchased, 0) as e_purchased, coalesce(e.bonus, 0) as e_bonus, coalesce(e.held, 0) as e_held, coalesce(e.used, 0) as e_used,
               coalesce(l.purchased, 0) as l_purchased, coalesce(l.bonus, 0) as l_bonus,
               coalesce(h.held, 0) as h_held, coalesce(h.parts_match, true) as parts_match
        from wallets_seen w
        left join credit_balances b on b.wallet_id = w.wallet_id
        left join entries e on e.wallet_id = w.wallet_id
        left join lots l on l.wallet_id = w.wallet_id
        left join holds h on h.wallet_id = w.wallet_id
      )
      select wallet_id, 'entries' as check_name, b_purchased, b_bonus, b_held, b_used, e_purchased as x_purchased, e_bonus as x_bonus, e_held as x_held, e_used as x_used
        from joined where (b_purchased, b_bonus, b_held, b_used) is distinct from (e_purchased, e_bonus, e_held, e_used)
      union all
      select wallet_id, 'lots', b_purchased, b_bonus, b_held, b_used, l_purchased, l_bonus, b_held, b_used
        from joined where (b_purchased, b_bonus) is distinct from (l_purchased, l_bonus)
      union all
      select wallet_id, 'holds', b_purchased, b_bonus, b_held, b_used, b_purchased, b_bonus, h_held, b_used
        from joined where b_held <> h_held or not parts_match
      order by 1, 2`,
  );
  return rows.map((r) => ({
    walletId: String(r.wallet_id),
    check: r.check_name as LedgerDrift['check'],
    balance: { purchased: Number(r.b_purchased), bonus: Number(r.b_bonus), held: Number(r.b_held), used: Number(r.b_used) },
    expected: { purchased: Number(r.x_purchased), bonus: Number(r.x_bonus), held: Number(r.x_held), used: Number(r.x_used) },
  }));
}
