import { getSessionUser } from '@/features/common/auth/session';
import { handleCreditsExport } from '@/features/common/payments/api/credits-export-handlers';

export async function GET(request: Request) {
  return handleCreditsExport(request, await getSessionUser());
}
