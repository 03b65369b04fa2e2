import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import { withCredits, type CreditHoldSettlement } from '@/features/common/payments/service/credits-balance.service';
import { storableString } from '@/features/common/payments/service/credits-input.schema';
import { AppError } from '@/shared/lib/app-error';

/** What one generation costs. */
export const GENERATION_COST = 10;

export const generationRequestSchema = z.object({
  prompt: storableString('prompt must be a string')
    .trim()
    .min(1, { message: 'prompt must not be empty' })
    .max(500, { message: 'prompt must be at most 500 characters' }),
  /** Spend from this organisation's wallet (the caller must be a member) instead of the caller's own. */
  organizationId: z.uuid({ message: 'organizationId must be an organization id' }).optional(),
});
export type GenerationRequest = z.infer<typeof generationRequestSchema>;

const NOT_JSON = Symbol('not JSON');
const invalidInput = (message: string) => Response.json({ error: { code: 'INVALID_INPUT', message } }, { status: 400 });

/** The body of a generation request, or the 400 that answers it: a body that is not JSON, or not `{ prompt, organizationId? }`. */
export async function readGenerationRequest(request: Request): Promise<GenerationRequest | Response> {
  const body: unknown = await request.json().catch(() => NOT_JSON);
  if (body === NOT_JSON) return invalidInput('The body must be JSON, such as {"prompt": "a red fox"}.');
  const parsed = generationRequestSchema.safeParse(body);
  return parsed.success ? parsed.data : invalidInput(parsed.error.issues[0]?.message ?? 'Invalid request body.');
}

export interface GenerationResult {
  /** This generation's id: a replayed response carries the first one's. */
  id: string;
  output: string;
  /** What was charged and the balances after it. */
  credits: CreditHoldSettlement;
}

/** The model failed (here: a prompt starting with "/fail", to show it). Nothing was charged. */
export class GenerationFailedError extends AppError {
  readonly code = 'GENERATION_FAILED';
  constructor() {
    super('The generation failed; nothing was charged. Try again.');
    this.name = 'GenerationFailedError';
  }
}

/**
 * The reference's paid-endpoint example, charged only when the work succeeds: `withCredits`
 * reserves the cost first (`InsufficientCreditsError` before any work starts), runs the work, and
 * settles the charge when it returns — or releases the reservation when it throws, so a failed
 * generation costs nothing. The route stores the response under the request's idempotency key
 * (`respondOnce`), so a retry gets the first response instead of running, and paying for, the work
 * again.
 */
export async function runGeneration(input: { userId: string; organizationId?: string | null; prompt: string }): Promise<GenerationResult> {
  const { result, settlement } = await withCredits(
    // Usage by feature on the credits page groups by this key; its label is in billing.credits.features.
    {
      userId: input.userId,
      ...(input.organizationId && { organizationId: input.organizationId }),
      credits: GENERATION_COST,
      reason: 'Run generation',
      feature: 'generation',
    },
    async () => executeGeneration(input.prompt),
  );
  return { id: randomUUID(), output: result, credits: settlement };
}

// Stands in for the paid work your product does (a model call, a render …).
function executeGeneration(prompt: string): string {
  if (prompt.startsWith('/fail')) throw new GenerationFailedError();
  const words = prompt.split(/\s+/).filter(Boolean);
  return `Generated from “${prompt}”: ${words.length} word${words.length === 1 ? '' : 's'}, ${prompt.length} characters.`;
}
