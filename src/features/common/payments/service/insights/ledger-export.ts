import { and, asc, eq, gt, gte, inArray, lt, lte, max, min, type SQL } from 'drizzle-orm';
import { z } from 'zod';

import { listOptionsSchema, parseCreditsInput, userIdSchema } from '@/features/common/payments/service/credits-input.schema';
import { featureLabel } from '@/features/common/payments/service/credits-usage.service';
import { walletOf } from '@/features/common/payments/service/ledger/ledger';
import { assertCanReadWallet } from '@/features/common/payments/service/organizations/membership';
import { getDb, type Executor } from '@/shared/db/client';
import { creditTransactions, type CreditTransactionType } from '@/shared/db/schema';
import type { CsvCell } from '@/shared/lib/csv';

/*
 * Ledger exports, a batch at a time. Each batch is one short query that continues after the last id
 * of the one before (keyset), in ledger order: no transaction or cursor stays open while a slow
 * client downloads, and memory holds one batch however long the ledger is. Entries are never changed
 * or deleted and a wallet's entries commit in id order (each is written under the wallet's lock), so
 * a wallet's export is exactly its ledger up to the moment the last batch is read.
 */

export const EXPORT_BATCH_SIZE = 1000;

export interface LedgerExportScope {
  /** One wallet's entries; omitted: every wallet's (the admin's whole-ledger export). */
  walletId?: string;
  types?: CreditTransactionType[];
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

const columns = {
  id: creditTransactions.id,
  walletId: creditTransactions.walletId,
  createdAt: creditTransactions.createdAt,
  type: creditTransactions.type,
  reason: creditTransactions.reason,
  feature: creditTransactions.feature,
  purchasedDelta: creditTransactions.purchasedDelta,
  bonusDelta: creditTransactions.bonusDelta,
  heldDelta: creditTransactions.heldDelta,
  usedDelta: creditTransactions.usedDelta,
  purchasedAfter: creditTransactions.purchasedAfter,
  bonusAfter: creditTransactions.bonusAfter,
  heldAfter: creditTransactions.heldAfter,
  usedAfter: creditTransactions.usedAfter,
  actorType: creditTransactions.actorType,
  actorId: creditTransactions.actorId,
  stripeCheckoutSessionId: creditTransactions.stripeCheckoutSessionId,
  stripePaymentIntentId: creditTransactions.stripePaymentIntentId,
  metadata: creditTransactions.metadata,
};

function selectBatch(executor: Executor, where: SQL | undefined, limit: number) {
  return executor.select(columns).from(creditTransactions).where(where).orderBy(asc(creditTransactions.id)).limit(limit);
}
type ExportEntry = Awaited<ReturnType<typeof selectBatch>>[number];

/**
 * The entries in `scope`, oldest first, `batchSize` at a time. For the whole ledger the date range is
 * first turned into the range of ids it spans (one pass over the BRIN index on `created_at`), so each
 * batch is a primary-key range scan rather than a scan of the date range again.
 */
export async function* ledgerEntryBatches(executor: Executor, scope: LedgerExportScope, batchSize = EXPORT_BATCH_SIZE): AsyncGenerator<ExportEntry[]> {
  const filters: (SQL | undefined)[] = [
    scope.walletId ? eq(creditTransactions.walletId, scope.walletId) : undefined,
    scope.types ? inArray(creditTransactions.type, scope.types) : undefined,
    scope.from ? gte(creditTransactions.createdAt, scope.from) : undefined,
    scope.to ? lt(creditTransactions.createdAt, scope.to) : undefined,
  ];
  if (!scope.walletId && (scope.from || scope.to)) {
    const [bounds] = await executor
      .select({ first: min(creditTransactions.id), last: max(creditTransactions.id) })
      .from(creditTransactions)
      .where(and(...filters));
    if (!bounds?.first || !bounds.last) return;
    filters.push(gte(creditTransactions.id, Number(bounds.first)), lte(creditTransactions.id, Number(bounds.last)));
  }
  let after = 0;
  for (;;) {
    const rows = await selectBatch(executor, and(...filters, gt(creditTransactions.id, after)), batchSize);
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    after = rows.at(-1)!.id;
  }
}

const exportFiltersSchema = listOptionsSchema.pick({ types: true, from: true, to: true });

export interface CsvExport {
  header: string[];
  batches: AsyncIterable<CsvCell[][]>;
}

const userHeader = [
  'id',
  'created_at',
  'type',
  'reason',
  'feature',
  'feature_label',
  'credits',
  'purchased_delta',
  'bonus_delta',
  'held_delta',
  'used_delta',
  'balance_after',
  'purchased_after',
  'bonus_after',
  'held_after',
  'used_after',
  'actor_type',
  'actor_id',
];

function userRow(entry: ExportEntry): CsvCell[] {
  return [
    entry.id,
    entry.createdAt,
    entry.type,
    entry.reason,
    entry.feature,
    entry.feature ? featureLabel(entry.feature) : null,
    entry.purchasedDelta + entry.bonusDelta,
    entry.purchasedDelta,
    entry.bonusDelta,
    entry.heldDelta,
    entry.usedDelta,
    entry.purchasedAfter + entry.bonusAfter,
    entry.purchasedAfter,
    entry.bonusAfter,
    entry.heldAfter,
    entry.usedAfter,
    entry.actorType,
    // Who spent matters in an organisation's wallet; which admin acted is the operators' business.
    entry.actorType === 'user' ? entry.actorId : null,
  ];
}

async function* mapBatches(batches: AsyncIterable<ExportEntry[]>, row: (entry: ExportEntry) => CsvCell[]): AsyncGenerator<CsvCell[][]> {
  for await (const batch of batches) yield batch.map(row);
}

/**
 * A user's ledger (or, with `organizationId`, an organisation's, for one of its members) as CSV rows,
 * oldest first, optionally filtered like the history. Access is checked before the first row, so a
 * refusal is an error the route can answer with, not a broken download.
 */
export async function exportCreditTransactions(
  userId: string,
  options: { organizationId?: string | null; types?: CreditTransactionType[]; from?: Date; to?: Date } = {},
): Promise<CsvExport> {
  const {
    userId: owner,
    options: { types, from, to, organizationId },
  } = parseCreditsInput(
    userIdSchema.extend({ options: exportFiltersSchema.extend({ organizationId: z.uuid({ message: 'must be an organization id (a UUID)' }).nullish() }) }),
    { userId, options },
  );
  const wallet = walletOf({ userId: owner, organizationId });
  const db = await getDb();
  await assertCanReadWallet(db, wallet);
  return { header: userHeader, batches: mapBatches(ledgerEntryBatches(db, { walletId: wallet.walletId, types, from, to }), userRow) };
}

const adminHeader = [...userHeader.slice(0, -1), 'actor_id', 'wallet_id', 'stripe_checkout_session_id', 'stripe_payment_intent_id', 'metadata'];

/**
 * For admins: one wallet's ledger, or the whole ledger within [`from`, `to`), with who acted, the
 * wallet, Stripe references and metadata. The caller authorises (the admin export routes).
 */
export async function exportLedgerForAdmin(scope: LedgerExportScope): Promise<CsvExport> {
  parseCreditsInput(
    exportFiltersSchema.extend({
      walletId: z
        .string()
        .min(1)
        .max(300)
        .regex(/^[^\u0000-\u001f\u007f]+$/u)
        .optional(),
    }),
    scope,
  );
  const db = await getDb();
  return {
    header: adminHeader,
    batches: mapBatches(ledgerEntryBatches(db, scope), (entry) => [
      ...userRow(entry).slice(0, -1),
      entry.actorId,
      entry.walletId,
      entry.stripeCheckoutSessionId,
      entry.stripePaymentIntentId,
      entry.metadata,
    ]),
  };
}
