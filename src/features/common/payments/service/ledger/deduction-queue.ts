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
import { databasePoolSize, getDb, pgErrorCode, type Statement } from '@/shared/db/client';

/*
 * Batched deductions: group commit in the process.
 *
 * - A call goes out at once, alone, when nothing for its wallet is in flight from this process and
 *   fewer than `maxInFlight()` deduction statements are. No call waits for a timer to gather others:
 *   a lone call is never delayed.
 * - Otherwise it waits here. Each time a statement returns, everything waiting that can go (its
 *   wallet not in flight) goes as ONE statement: `credits_deduct_many` for one wallet,
 *   `credits_deduct_across` for several. Each wallet's calls are applied in arrival order, each with
 *   its own entry, outcome and idempotency, exactly as one by one.
 * - One wallet takes one deduction per commit (its balance row stays locked until then), so a hot
 *   wallet's calls queue behind its statement; and many wallets spending at once share commits, so a
 *   busy process sends a few statements carrying many calls rather than one statement per call.
 * - A wallet that another transaction or process holds is not waited for in a statement carrying
 *   others (the function skips it and answers 'busy'): its calls go again on their own, waiting for
 *   the lock outside the in-flight count, so one busy wallet never holds up the rest. A statement
 *   that has been out longer than STALE_MS (a lone call waiting for such a lock, a slow server) stops
 *   counting too, so it holds up other wallets' calls for no longer than that.
 * - A statement the server refused (an error of its own: nothing was written) is retried wallet by
 *   wallet and then call by call, so a failure reaches only the calls it belongs to. One that may
 *   have committed (the connection lost, the deadline passed) fails each call it carried with that
 *   error, as one by one would have; a retry with the call's idempotency key charges once.
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

/**
 * A statement out longer than this is waiting on something (a wallet's row lock that another
 * transaction or process holds, a slow server) and stops counting against `maxInFlight()`, so it
 * holds up other wallets' deductions for no longer than this.
 */
const STALE_MS = 100;

/** Wallets with a statement in flight from this process. */
const walletsInFlight = new Set<string>();
/** Statements in flight that count against `maxInFlight()`: when each went out. */
const counted = new Set<{ since: number }>();
let waiting: Waiting[] = [];
let recount: ReturnType<typeof setTimeout> | null = null;

/** Whether another statement may go out now; statements out longer than STALE_MS stop counting. */
function hasRoom(): boolean {
  const max = maxInFlight();
  if (counted.size < max) return true;
  const now = performance.now();
  for (const slot of counted) if (now - slot.since > STALE_MS) counted.delete(slot);
  return counted.size < max;
}

/** Calls are waiting for room: look again once the oldest statement out could have gone stale. */
function recountLater(): void {
  recount ??= setTimeout(() => {
    recount = null;
    dispatch();
  }, STALE_MS);
  recount.unref?.();
}

function begin(): { since: number } {
  const slot = { since: performance.now() };
  counted.add(slot);
  return slot;
}

/**
 * Whether a failed statement is known to have written nothing: the server refused it with an error of
 * its own. A lost connection, a server shutting down or a passed deadline may come after the commit,
 * so the calls it carried get that error, as each would have one by one, and are not sent again (a
 * caller retries with its idempotency key).
 */
function rolledBack(error: unknown): boolean {
  const code = pgErrorCode(error);
  return code !== undefined && !code.startsWith('08') && !code.startsWith('57P');
}

async function single(call: DeductionCall): Promise<LedgerOutcome> {
  return runLedger(await getDb(), ledger.deduct(call.wallet, call.credits, call.ctx));
}

/**
 * Runs a batched statement carrying `calls`: their outcomes in order; 'refused' when the server
 * refused it (nothing written, so its calls can go again in smaller statements); 'failed' when it may
 * have committed (every call then rejected with that error) or answered a wrong number of rows.
 */
async function runBatch(statement: Statement, calls: Waiting[]): Promise<LedgerOutcome[] | 'refused' | 'failed'> {
  let outcomes: LedgerOutcome[];
  try {
    outcomes = await runLedgerMany(await getDb(), statement);
  } catch (error) {
    if (rolledBack(error)) return 'refused';
    for (const call of calls) call.reject(error);
    return 'failed';
  }
  if (outcomes.length !== calls.length) {
    const error = new Error(`A batched deduction answered ${outcomes.length} rows for ${calls.length} calls`);
    for (const call of calls) call.reject(error);
    return 'failed';
  }
  return outcomes;
}

/**
 * One wallet's calls as one statement that waits for the wallet's lock; call by call if the server
 * refused it. Settles every call.
 */
async function oneWallet(walletId: string, calls: Waiting[]): Promise<void> {
  if (calls.length > 1) {
    const outcomes = await runBatch(ledger.deductMany(walletId, calls), calls);
    if (outcomes === 'failed') return;
    if (outcomes !== 'refused') return calls.forEach((call, i) => call.resolve(outcomes[i]!));
  }
  for (const call of calls) await single(call).then(call.resolve, call.reject);
}

/**
 * Several wallets' calls as one statement. Settles the calls it answered; returns the wallets to
 * send again on their own: those another transaction held, or all of them when the server refused
 * the statement.
 */
async function severalWallets(groups: [string, Waiting[]][]): Promise<[string, Waiting[]][]> {
  const calls = groups.flatMap(([, mine]) => mine);
  const outcomes = await runBatch(ledger.deductAcross(groups.map(([walletId, mine]) => ({ walletId, calls: mine }))), calls);
  if (outcomes === 'refused') return groups;
  if (outcomes === 'failed') return [];
  const again: [string, Waiting[]][] = [];
  let next = 0;
  for (const group of groups) {
    const [, mine] = group;
    const answers = outcomes.slice(next, (next += mine.length));
    if (answers.some((outcome) => outcome.status === 'busy')) again.push(group);
    else mine.forEach((call, i) => call.resolve(answers[i]!));
  }
  return again;
}

async function send(groups: Map<string, Waiting[]>): Promise<void> {
  const slot = begin();
  let again: [string, Waiting[]][] = [];
  try {
    if (groups.size === 1) {
      const [walletId, calls] = groups.entries().next().value!;
      await oneWallet(walletId, calls);
    } else {
      again = await severalWallets([...groups]);
    }
  } finally {
    counted.delete(slot);
    const still = new Set(again.map(([walletId]) => walletId));
    for (const walletId of groups.keys()) if (!still.has(walletId)) walletsInFlight.delete(walletId);
    dispatch();
  }
  // Outside the count, waiting for the lock; their wallets stay in flight meanwhile, so later calls
  // for them still come after these.
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

/**
 * Sends what is waiting and can go, as one statement, while there is room. Afterwards every call
 * still waiting has its wallet in flight, or there is no room.
 */
function dispatch(): void {
  while (waiting.length > 0 && hasRoom()) {
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
    void send(groups);
  }
  if (waiting.length > 0) recountLater();
}

/**
 * Deducts through the queue: at once when nothing for the wallet is in flight or waiting in this
 * process and there is room for another statement, else with the next batch. Resolves with the
 * call's own outcome.
 */
export async function queueDeduction(wallet: WalletRef, credits: number, ctx: EntryContext): Promise<LedgerOutcome> {
  // Room may have grown since the last look (the pool opened, the setting changed): what waits goes
  // first, so this call cannot pass an earlier one for its wallet.
  if (waiting.length > 0) dispatch();
  const walletBusy = walletsInFlight.has(wallet.walletId);
  if (walletBusy || !hasRoom()) {
    return new Promise((resolve, reject) => {
      waiting.push({ wallet, credits, ctx, resolve, reject });
      if (!walletBusy) recountLater();
    });
  }
  walletsInFlight.add(wallet.walletId);
  const slot = begin();
  try {
    return await single({ wallet, credits, ctx });
  } finally {
    counted.delete(slot);
    walletsInFlight.delete(wallet.walletId);
    dispatch();
  }
}
