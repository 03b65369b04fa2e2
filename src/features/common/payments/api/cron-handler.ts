import { createHash, timingSafeEqual } from 'node:crypto';

import { creditsErrorResponse } from '@/features/common/payments/api/credits-error-response';
import { runCreditsMaintenance } from '@/features/common/payments/service/jobs/maintenance';

/** How long an authorisation header may be before it is refused unread (a secret is far shorter). */
const MAX_AUTHORIZATION_LENGTH = 1024;

function sameSecret(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, so the comparison takes the same time whatever was sent.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * `GET|POST /api/cron/credits`, for a hosted scheduler (Vercel Cron sends `Authorization: Bearer
 * $CRON_SECRET`): runs the credits' periodic work and answers what it did. Without `CRON_SECRET`
 * configured the route does not exist (404), so a deployment that never set one serves nobody; a
 * missing or wrong secret is a 401. Nothing in the request is read but that header.
 */
export async function handleCronRequest(request: Request, cronSecret: string | undefined): Promise<Response> {
  if (!cronSecret) return Response.json({ error: { code: 'NOT_FOUND', message: 'Not found' } }, { status: 404 });
  const header = request.headers.get('authorization') ?? '';
  const token = header.length <= MAX_AUTHORIZATION_LENGTH && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  if (!token || !sameSecret(token, cronSecret)) {
    return Response.json(
      { error: { code: 'UNAUTHORIZED', message: 'Send Authorization: Bearer <CRON_SECRET>.' } },
      { status: 401, headers: { 'www-authenticate': 'Bearer' } },
    );
  }
  try {
    const result = await runCreditsMaintenance({ maxJobBatches: 10 });
    return Response.json(result, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    const response = creditsErrorResponse(error);
    if (response) return response;
    throw error;
  }
}
