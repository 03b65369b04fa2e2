import { appConfig } from '@/config/app';
import { creditsErrorResponse } from '@/features/common/payments/api/credits-error-response';
import { RateLimitedError } from '@/features/common/payments/service/credits-errors';
import { fingerprintRequest, respondOnce } from '@/features/common/payments/service/idempotent-request.service';
import { GenerationFailedError, readGenerationRequest, runGeneration } from '@/features/examples/generation/run-generation';
import { consumeRateLimit } from '@/shared/lib/rate-limit';

/**
 * POST { prompt, organizationId? } → 200 { id, output, credits } after charging the signed-in user —
 * only when the generation succeeded: a failed one answers 502 `GENERATION_FAILED` and costs nothing.
 * The credits come from the wallet the body names (`organizationId`, the caller must be a member),
 * else from `activeOrganizationId` (the header's wallet switcher, already checked), else the caller's own.
 * 401 signed out · 400 bad body · 402 { error: { required, available } } when credits run short ·
 * 402 `MEMBER_CAP_EXCEEDED` { cap, used, remaining } at the member's monthly cap · 403 not a member ·
 * 429 with `Retry-After` past `rateLimits.paidRequestPerUser`.
 *
 * An `Idempotency-Key` header makes the request happen once: a retry with the same key and the same
 * body gets the first response again (with `Idempotent-Replayed: true`), charged and worked once; the
 * same key with another body is refused with 409 `IDEMPOTENCY_CONFLICT`, and while the first request
 * still runs, with 409 `REQUEST_IN_PROGRESS` and `Retry-After`.
 */
export async function handleGenerateRequest(request: Request, userId: string | null, activeOrganizationId: string | null = null): Promise<Response> {
  if (!userId) return Response.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in to run a generation.' } }, { status: 401 });
  const verdict = await consumeRateLimit('paid-request-per-user', userId, appConfig.rateLimits.paidRequestPerUser);
  if (!verdict.allowed) return creditsErrorResponse(new RateLimitedError('paid requests per user', verdict.retryAfterSeconds))!;

  const input = await readGenerationRequest(request);
  if (input instanceof Response) return input;
  try {
    // Scoped to this endpoint, so a client's key here cannot collide with its keys elsewhere.
    const clientKey = request.headers.get('idempotency-key');
    const idempotencyKey = clientKey ? `generate:${clientKey}` : undefined;
    // Everything that decides the work: the same key with any other body is a conflict.
    const organizationId = input.organizationId ?? activeOrganizationId;
    const requestFingerprint = fingerprintRequest({ endpoint: 'generate', ...input, organizationId });
    const { status, body, replayed } = await respondOnce({ userId, idempotencyKey, requestFingerprint }, async () => ({
      status: 200,
      body: await runGeneration({ userId, organizationId, prompt: input.prompt }),
    }));
    return Response.json(body, { status, headers: replayed ? { 'Idempotent-Replayed': 'true' } : {} });
  } catch (error) {
    if (error instanceof GenerationFailedError) return Response.json({ error: { code: error.code, message: error.message } }, { status: 502 });
    const response = creditsErrorResponse(error);
    if (response) return response;
    throw error;
  }
}
