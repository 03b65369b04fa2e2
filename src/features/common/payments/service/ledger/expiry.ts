import { sql } from 'drizzle-orm';

import { sweepWallet } from '@/features/common/payments/service/ledger/ledger';
import { queryRows, type Executor } from '@/shared/db/client';

/**
 * Expires every hold and lot that is due, wallet by wallet (each its own short transaction, under
 * that wallet's lock), writing one entry per hold (`hold_expired`, its credits back) and per lot
 * (`expiration`, its credits gone). Nothing depends on this having run — reads and spending already
 * ignore what has expired — it only brings the balance rows and the ledger up to date. Safe to run
 * concurrently and at any time. Returns how many wallets it swept and how many holds and lots expired.
 */
export async function expireDueCredits(executor: Executor, options: { batchSize?: number } = {}): Promise<{ wallets: number; expired: number }> {
  const batchSize = options.batchSize ?? 200;
  const swept = new Set<string>();
  let expired = 0;
  // A wallet swept here leaves the due set (its hint moves past now), so each pass sees new ones;
  // one that falls due again while this runs waits for the next run.
  for (;;) {
    const due = await queryRows<{ wallet_id: string }>(
      executor,
      sql`select wallet_id from credit_balances where next_expiry_at <= now() order by next_expiry_at limit ${batchSize}`,
    );
    const fresh = due.filter(({ wallet_id }) => !swept.has(wallet_id));
    for (const { wallet_id } of fresh) {
      expired += await sweepWallet(executor, wallet_id);
      swept.add(wallet_id);
    }
    if (due.length < batchSize || fresh.length === 0) return { wallets: swept.size, expired };
  }
}
