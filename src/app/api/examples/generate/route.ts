import { getSessionUser } from '@/features/common/auth/session';
import { respondWithCreditsErrors } from '@/features/common/payments/api/credits-error-response';
import { handleGenerateRequest } from '@/features/examples/generation/generate-handler';

export async function POST(request: Request) {
  return respondWithCreditsErrors(async () => {
    const user = await getSessionUser();
    return handleGenerateRequest(request, user?.id ?? null);
  });
}
