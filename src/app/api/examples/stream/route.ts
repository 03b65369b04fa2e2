import { getSessionUser } from '@/features/common/auth/session';
import { activeOrganizationId } from '@/features/common/payments/active-wallet';
import { respondWithCreditsErrors } from '@/features/common/payments/api/credits-error-response';
import { handleStreamRequest } from '@/features/examples/streaming/stream-answer';

export async function POST(request: Request) {
  return respondWithCreditsErrors(async () => {
    const user = await getSessionUser();
    // The header's wallet switcher, checked against the user's memberships (a forged cookie reads as personal).
    return handleStreamRequest(request, user?.id ?? null, user ? await activeOrganizationId(user.id) : null);
  });
}
