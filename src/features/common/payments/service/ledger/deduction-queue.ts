import { ledger, runLedger, runLedgerMany, type EntryContext, type LedgerOutcome, type WalletRef } from '@/features/common/payments/service/ledger/ledger';
import { getDb } from '@/shared/db/client';

/*
 * Batched deductions for hot wallets. One wallet can take one deduction per commit (its balance row
 * is locked until then), so while a deduction for a wallet is in flight, the next ones for it wait
 * here; when it returns, everything waiting goes to Postgres as ONE statement (credits_deduct_many)
 * that applies the calls in arrival order, each with its own entry, outcome and idempotency. A call
 * that finds nothing in flight goes out at once: there is no timer, so a lone call is never delayed.
 *
 * The queue is per process; across processes the row lock keeps every statement correct, and each
 * process batches what it has. A batch that fails as a whole (the database went away mid-statement,
 * say) is retried call by call, so a failure reaches only the calls it belongs to.
 */

interface Waiting {
  wallet: WalletRef;
  credits: number;
  ctx: EntryContext;
  resolve: (outcome: LedgerOutcome) => void;
  reject: (error: unknown) => void;
}

/** The most calls one statement carries; more wait for the next. */
const MAX_BATCH = 256;

const queues = new Map<string, Waiting[]>();

async function single(call: Pick<Waiting, 'wallet' | 'credits' | 'ctx'>): Promise<LedgerOutcome> {
  return runLedger(await getDb(), ledger.deduct(call.wallet, call.credits, call.ctx));
}

async function drain(walletId: string, waiting: Waiting[]): Promise<void> {
  while (waiting.length > 0) {
    const batch = waiting.splice(0, MAX_BATCH);
    let outcomes: LedgerOutcome[] | null = null;
    try {
      outcomes = await runLedgerMany(await getDb(), ledger.deductMany(walletId, batch));
    } catch {
      outcomes = null;
    }
    if (outcomes && outcomes.length === batch.length) {
      batch.forEach((call, i) => call.resolve(outcomes![i]!));
      continue;
    }
    for (const call of batch) await single(call).then(call.resolve, call.reject);
  }
  queues.delete(walletId);
}

/**
 * Deducts through the wallet's queue: at once when nothing for the wallet is in flight in this
 * process, else with the next batch. Resolves with the call's own outcome.
 */
export async function queueDeduction(wallet: WalletRef, credits: number, ctx: EntryContext): Promise<LedgerOutcome> {
  const waiting = queues.get(wallet.walletId);
  if (waiting) return new Promise((resolve, reject) => waiting.push({ wallet, credits, ctx, resolve, reject }));

  const mine: Waiting[] = [];
  queues.set(wallet.walletId, mine);
  try {
    return await single({ wallet, credits, ctx });
  } finally {
    void drain(wallet.walletId, mine);
  }
}
