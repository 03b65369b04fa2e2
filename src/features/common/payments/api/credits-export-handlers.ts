import 'server-only';

import type { SessionUser } from '@/features/common/auth/session';
import { creditsErrorResponse } from '@/features/common/payments/api/credits-error-response';
import { parseDay, parseHistoryFilters } from '@/features/common/payments/credit-history-filters';
import { exportCreditTransactions, exportLedgerForAdmin, type CsvExport } from '@/features/common/payments/service/insights/ledger-export';
import { personalWalletId } from '@/features/common/payments/service/ledger/ledger';
import { csvAttachment, csvStream } from '@/shared/lib/csv';

/*
 * The CSV downloads. Each checks who asks, reads its parameters, and answers with a stream that
 * reads the ledger a batch at a time while the browser downloads (see ledger-export.ts). A refusal
 * comes before the first byte, as a status and JSON.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const today = () => new Date().toISOString().slice(0, 10);

function fail(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

async function download(filename: string, make: () => Promise<CsvExport>): Promise<Response> {
  try {
    const exported = await make();
    return csvAttachment(filename, csvStream(exported.header, exported.batches));
  } catch (error) {
    const response = creditsErrorResponse(error);
    if (response) return response;
    throw error;
  }
}

/**
 * `GET …/billings/credits/export?type=&from=&to=&organization=`: the signed-in user's ledger (or an
 * organisation's, for a member) as CSV, everything the history filters select — all of it without
 * filters. Filters that cannot be read are refused (400) rather than silently widened.
 */
export async function handleCreditsExport(request: Request, user: SessionUser | null): Promise<Response> {
  if (!user) return fail(401, 'UNAUTHENTICATED', 'Sign in first.');
  const params = new URL(request.url).searchParams;
  const { query, problems } = parseHistoryFilters({
    type: params.get('type') ?? undefined,
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
  });
  if (problems.length > 0) return fail(400, 'INVALID_INPUT', problems.join(' '));
  const organizationId = params.get('organization') || undefined;
  return download(`credits-${today()}.csv`, () => exportCreditTransactions(user.id, { ...query, organizationId }));
}

/**
 * `GET …/admin/credits/export?user=<id>` (one user's whole ledger) or `?from=YYYY-MM-DD&to=YYYY-MM-DD`
 * (every wallet's entries on those UTC days, both included): for admins, with actors, wallets,
 * Stripe references and metadata. Anyone else gets a 404, as for the admin pages.
 */
export async function handleAdminLedgerExport(request: Request, user: SessionUser | null): Promise<Response> {
  if (user?.role !== 'admin') return fail(404, 'NOT_FOUND', 'Not found.');
  const params = new URL(request.url).searchParams;
  const userId = params.get('user');
  if (userId !== null && !/^[^\u0000-\u001f\u007f]{1,255}$/u.test(userId)) return fail(400, 'INVALID_INPUT', 'That is not a user id.');
  if (userId) return download(`credits-user-${userId}-${today()}.csv`, () => exportLedgerForAdmin({ walletId: personalWalletId(userId) }));

  const from = parseDay(params.get('from') ?? '');
  const to = parseDay(params.get('to') ?? '');
  if (!from || !to) return fail(400, 'INVALID_INPUT', 'Give a user, or a first and a last day (YYYY-MM-DD).');
  if (from > to) return fail(400, 'INVALID_INPUT', 'The first day is after the last day.');
  return download(`ledger-${params.get('from')}-to-${params.get('to')}.csv`, () => exportLedgerForAdmin({ from, to: new Date(to.getTime() + DAY_MS) }));
}
