import { creditsErrorResponse } from '@/features/common/payments/api/credits-error-response';
import { generationRequestSchema, runGeneration } from '@/features/examples/generation/run-generation';

/**
 * POST { prompt } → 200 { output, credits } after charging the signed-in user.
 * 401 signed out · 400 bad body · 402 { error: { required, available } } when credits run short.
 * An `Idempotency-Key` header makes a retried request charge once.
 */
export async function handleGenerateRequest(request: Request, userId: string | null): Promise<Response> {
  if (!userId) return Response.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in to run a generation.' } }, { status: 401 });

  const parsed = generationRequestSchema.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    return Response.json({ error: { code: 'INVALID_INPUT', message: parsed.error.issues[0]?.message ?? 'Invalid request body.' } }, { status: 400 });
  }
  try {
    // Scoped to this endpoint, so a client's key here cannot collide with its keys elsewhere.
    const clientKey = request.headers.get('idempotency-key');
    const result = await runGeneration({ userId, prompt: parsed.data.prompt, idempotencyKey: clientKey ? `generate:${clientKey}` : undefined });
    return Response.json(result);
  } catch (error) {
    const response = creditsErrorResponse(error);
    if (response) return response;
    throw error;
  }
}
