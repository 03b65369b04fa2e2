import { getSessionUser } from '@/features/common/auth/session';
import { respondWithCreditsErrors } from '@/features/common/payments/api/credits-error-response';
import { handleAdminLedgerExport } from '@/features/common/payments/api/credits-export-handlers';

// Route handlers are not wrapped by the admin layout: the handler checks the admin itself.
export async function GET(request: Request) {
  return respondWithCreditsErrors(async () => handleAdminLedgerExport(request, await getSessionUser()));
}
