import {
  ledger,
  runLedger,
  runLedgerMany,
  type DeductionCall,
  type LedgerOutcome,
  type WalletRef,
  type EntryContext,
} from '@/features/common/payments/service/ledger/ledger';
import { appConfig } from '@/config/app';
import { databasePoolSize, getDb } from '@/shared/db/client';

/*
 * Batched deductions: group commit in the process.
 *
 * - A call goes out at once, alone, when nothing for its wallet is in flight from this process and
 *   fewer than `maxInFlight()` deduction statements are. There is no timer: a lone call is never delayed.
 * - Otherwise it waits here. Each time a statement returns, everything waiting that can go (its
 *   wallet not in flight) goes as ONE statement: `credits_deduct_many` for one wallet,
 *   `credits_deduct_across` for several. Each wallet's calls are applied in arrival order, each with
 *   its own entry, outcome and idempotency, exactly as one by one.
 * - One wallet takes one deduction per commit (its balance row stays locked until then), so a hot
 *   wallet's calls queue behind its statement; and many wallets spending at once share commits, so a
 *   busy process sends a few statements carrying many calls rather than one statement per call.
 * - A wallet that another transaction or process holds is not waited for in a statement carrying
 *   others (the function skips it and answers 'busy'): its calls go again on their own, waiting for
 *   the lock outside the in-flight count, so one busy wallet never holds up the rest.
 * - A statement that fails as a whole (the database went away, say) is retried wallet by wallet and
 *   then call by call, so a failure reaches only the calls it belongs to.
 *
 * The queue is per process; across processes the row lock keeps every statement correct, and each
 * process batches what it has.
 */

interface Waiting extends DeductionCall {
  resolve: (outcome: LedgerOutcome) => void;
  reject: (error: unknown) => void;
}

/** The most calls one statement carries; more wait for the next. */
const MAX_BATCH = 256;

/**
 * Deduction statements this process keeps in flight before calls wait to go together
 * (`billing.credits.maxDeductionStatements`, default the pool's size: grouping starts once every
 * connection is busy, where calls would otherwise queue for a connection one by one).
 */
const maxInFlight = () => appConfig.billing.credits.maxDeductionStatements ?? databasePoolSize();

/** Wallets with a statement in flight from this process. */
const walletsInFlight = new Set<string>();
let statementsInFlight = 0;
let waiting: Waiting[] = [];

async function single(call: DeductionCall): Promise<LedgerOutcome> {
  return runLedger(await getDb(), ledger.deduct(call.wallet, call.credits, call.ctx));
}

/** One wallet's calls as one statement that waits for the wallet's lock; call by call if it fails. Settles every call. */
async function oneWallet(walletId: string, calls: Waiting[]): Promise<void> {
  if (calls.length > 1) {
    const outcomes = await getDb()
      .then((db) => runLedgerMany(db, ledger.deductMany(walletId, calls)))
      .catch(() => null);
    if (outcomes && outcomes.length === calls.length) {
      calls.forEach((call, i) => call.resolve(outcomes[i]!));
      return;
    }
  }
  for (const call of calls) await single(call).then(call.resolve, call.reject);
}

/**
 * Several wallets' calls as one statement. Settles the calls it answered; returns the wallets to
 * send again on their own: those another transaction held, or all of them when the statement failed.
 */
async function severalWallets(groups: [string, Waiting[]][]): Promise<[string, Waiting[]][]> {
  const count = groups.reduce((n, [, calls]) => n + calls.length, 0);
  const outcomes = await getDb()
    .then((db) => runLedgerMany(db, ledger.deductAcross(groups.map(([walletId, calls]) => ({ walletId, calls })))))
    .catch(() => null);
  if (!outcomes || outcomes.length !== count) return groups;
  const again: [string, Waiting[]][] = [];
  let next = 0;
  for (const group of groups) {
    const [, calls] = group;
    const mine = outcomes.slice(next, (next += calls.length));
    if (mine.some((outcome) => outcome.status === 'busy')) again.push(group);
    else calls.forEach((call, i) => call.resolve(mine[i]!));
  }
  return again;
}

async function send(groups: Map<string, Waiting[]>): Promise<void> {
  let again: [string, Waiting[]][] = [];
  try {
    if (groups.size === 1) {
      const [walletId, calls] = groups.entries().next().value!;
      await oneWallet(walletId, calls);
    } else {
      again = await severalWallets([...groups]);
    }
  } finally {
    statementsInFlight--;
    const still = new Set(again.map(([walletId]) => walletId));
    for (const walletId of groups.keys()) if (!still.has(walletId)) walletsInFlight.delete(walletId);
    dispatch();
  }
  // Their wallets stay in flight meanwhile, so later calls for them still come after these.
  await Promise.all(
    again.map(async ([walletId, calls]) => {
      try {
        await oneWallet(walletId, calls);
      } finally {
        walletsInFlight.delete(walletId);
        dispatch();
      }
    }),
  );
}

/** Sends what is waiting and can go, as one statement, while fewer than `maxInFlight()` are out. */
function dispatch(): void {
  while (waiting.length > 0 && statementsInFlight < maxInFlight()) {
    const groups = new Map<string, Waiting[]>();
    const left: Waiting[] = [];
    let taken = 0;
    for (const call of waiting) {
      // Once the batch is full everything after stays, so a wallet's later calls never pass its earlier ones.
      if (taken < MAX_BATCH && !walletsInFlight.has(call.wallet.walletId)) {
        const calls = groups.get(call.wallet.walletId);
        if (calls) calls.push(call);
        else groups.set(call.wallet.walletId, [call]);
        taken++;
      } else {
        left.push(call);
      }
    }
    if (taken === 0) return;
    waiting = left;
    for (const walletId of groups.keys()) walletsInFlight.add(walletId);
    statementsInFlight++;
    void send(groups);
  }
}

/**
 * Deducts through the queue: at once when nothing for the wallet is in flight in this process and
 * the process has room for another statement, else with the next batch. Resolves with the call's own
 * outcome.
 */
export async function queueDeduction(wallet: WalletRef, credits: number, ctx: EntryContext): Promise<LedgerOutcome> {
  if (walletsInFlight.has(wallet.walletId) || statementsInFlight >= maxInFlight()) {
    return new Promise((resolve, reject) => waiting.push({ wallet, credits, ctx, resolve, reject }));
  }
  walletsInFlight.add(wallet.walletId);
  statementsInFlight++;
  try {
    return await single({ wallet, credits, ctx });
  } finally {
    statementsInFlight--;
    walletsInFlight.delete(wallet.walletId);
    dispatch();
  }
}
