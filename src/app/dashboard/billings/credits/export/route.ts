import { getSessionUser } from '@/features/common/auth/session';
import { respondWithCreditsErrors } from '@/features/common/payments/api/credits-error-response';
import { handleCreditsExport } from '@/features/common/payments/api/credits-export-handlers';

export async function GET(request: Request) {
  return respondWithCreditsErrors(async () => handleCreditsExport(request, await getSessionUser()));
}
