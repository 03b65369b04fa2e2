import { z } from 'zod';

import { deductCreditsBonusFirst, type DeductCreditsResult } from '@/features/common/payments/service/credits-balance.service';

/** What one generation costs. */
export const GENERATION_COST = 10;

export const generationRequestSchema = z.object({
  prompt: z.string().trim().min(1, { message: 'prompt must not be empty' }).max(500, { message: 'prompt must be at most 500 characters' }),
});
export type GenerationRequest = z.infer<typeof generationRequestSchema>;

export interface GenerationResult {
  output: string;
  credits: DeductCreditsResult;
}

/**
 * The reference's paid-endpoint example: charge first, then do the work. The deduction throws
 * `InsufficientCreditsError` before any work starts; a client's `idempotencyKey` makes a retried
 * request charge once.
 */
export async function runGeneration(input: { userId: string; prompt: string; idempotencyKey?: string }): Promise<GenerationResult> {
  const credits = await deductCreditsBonusFirst({
    userId: input.userId,
    credits: GENERATION_COST,
    reason: 'Run generation',
    // Usage by feature on the credits page groups by this key; its label is in billing.credits.features.
    feature: 'generation',
    idempotencyKey: input.idempotencyKey,
  });
  return { output: executeGeneration(input.prompt), credits };
}

// Stands in for the paid work your product does (a model call, a render …).
function executeGeneration(prompt: string): string {
  const words = prompt.split(/\s+/).filter(Boolean);
  return `Generated from “${prompt}”: ${words.length} word${words.length === 1 ? '' : 's'}, ${prompt.length} characters.`;
}
