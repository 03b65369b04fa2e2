import { getSessionUser } from '@/features/common/auth/session';
import { respondWithCreditsErrors } from '@/features/common/payments/api/credits-error-response';
import { handleStreamRequest } from '@/features/examples/streaming/stream-answer';

export async function POST(request: Request) {
  return respondWithCreditsErrors(async () => {
    const user = await getSessionUser();
    return handleStreamRequest(request, user?.id ?? null);
  });
}
