import { appConfig } from '@/config/app';
import { creditsErrorResponse } from '@/features/common/payments/api/credits-error-response';
import { releaseCreditHold, reserveCredits, settleCreditHold, type CreditHoldSettlement } from '@/features/common/payments/service/credits-balance.service';
import { RateLimitedError } from '@/features/common/payments/service/credits-errors';
import { readGenerationRequest } from '@/features/examples/generation/run-generation';
import { consumeRateLimit } from '@/shared/lib/rate-limit';

/**
 * The second paid-route example: an answer streamed word by word and charged by its real size, one
 * credit a word, the way an LLM call is charged by its token count. The route reserves the most the
 * answer can cost, streams, then settles what was delivered and gives back the rest:
 *
 * - the answer ends: charged its words;
 * - the client goes away mid-answer: charged the words it got;
 * - the model fails mid-answer (here: a prompt starting with "/fail"): released, nothing charged;
 * - the process dies: the hold expires by itself and its credits come back.
 *
 * The body is NDJSON: `{ "type": "token", "text" }` lines, then `{ "type": "done", "creditsCharged",
 * "creditsBalance" }` (or `{ "type": "error" }`).
 */

/** The most one answer can cost: what is reserved before the first word. */
export const STREAM_MAX_CREDITS = 40;
const WORD_DELAY_MS = 25;

/** Stands in for a model that streams its answer. */
function answerWords(prompt: string): string[] {
  const topic = prompt.replace(/^\/fail\s*/, '').trim() || 'your question';
  const words = `Here is a short answer about ${topic}, streamed one word at a time and charged for exactly the words you received.`.split(/\s+/);
  return words.slice(0, STREAM_MAX_CREDITS);
}

const line = (value: object) => new TextEncoder().encode(`${JSON.stringify(value)}\n`);

/** POST { prompt, organizationId? }: spends from the wallet chosen as for the generate route (see generate-handler.ts). */
export async function handleStreamRequest(request: Request, userId: string | null, activeOrganizationId: string | null = null): Promise<Response> {
  if (!userId) return Response.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in to ask a question.' } }, { status: 401 });
  const verdict = await consumeRateLimit('paid-request-per-user', userId, appConfig.rateLimits.paidRequestPerUser);
  if (!verdict.allowed) return creditsErrorResponse(new RateLimitedError('paid requests per user', verdict.retryAfterSeconds))!;
  const input = await readGenerationRequest(request);
  if (input instanceof Response) return input;

  const organizationId = input.organizationId ?? activeOrganizationId ?? undefined;
  const wallet = { userId, ...(organizationId && { organizationId }) };
  let holdId: string;
  try {
    ({ holdId } = await reserveCredits({ ...wallet, credits: STREAM_MAX_CREDITS, reason: 'Streamed answer', feature: 'chat' }));
  } catch (error) {
    const response = creditsErrorResponse(error);
    if (response) return response;
    throw error;
  }

  const words = answerWords(input.prompt);
  const failsAfter = input.prompt.startsWith('/fail') ? 3 : Number.POSITIVE_INFINITY;
  let delivered = 0;
  // Settled once, whichever comes first: the end of the answer or the client leaving.
  let settlement: Promise<CreditHoldSettlement> | null = null;
  const settle = () => (settlement ??= settleCreditHold({ ...wallet, holdId, credits: delivered, reason: 'Streamed answer' }));

  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (delivered >= failsAfter) {
        await releaseCreditHold({ ...wallet, holdId, reason: 'Answer failed: nothing charged' }).catch((error: unknown) =>
          console.error('[stream] release failed', error),
        );
        controller.enqueue(line({ type: 'error', message: 'The answer failed; nothing was charged.' }));
        controller.close();
        return;
      }
      if (delivered < words.length) {
        await new Promise((resolve) => setTimeout(resolve, WORD_DELAY_MS));
        controller.enqueue(line({ type: 'token', text: `${words[delivered]} ` }));
        delivered++;
        return;
      }
      const done = await settle();
      controller.enqueue(line({ type: 'done', creditsCharged: done.creditsCharged, creditsBalance: done.creditsBalance }));
      controller.close();
    },
    async cancel() {
      // The client went away: it pays for the words it got, and the rest goes back.
      await settle().catch((error: unknown) => console.error(`[stream] settling hold ${holdId} failed; it expires by itself`, error));
    },
  });
  return new Response(stream, { headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' } });
}
