import { randomUUID } from 'node:crypto';

import { z } from 'zod';

import { deductCreditsBonusFirst, type DeductCreditsResult } from '@/features/common/payments/service/credits-balance.service';
import { storableString } from '@/features/common/payments/service/credits-input.schema';

/** What one generation costs. */
export const GENERATION_COST = 10;

export const generationRequestSchema = z.object({
  prompt: storableString('prompt must be a string')
    .trim()
    .min(1, { message: 'prompt must not be empty' })
    .max(500, { message: 'prompt must be at most 500 characters' }),
});
export type GenerationRequest = z.infer<typeof generationRequestSchema>;

export interface GenerationResult {
  /** This generation's id: a replayed response carries the first one's. */
  id: string;
  output: string;
  credits: DeductCreditsResult;
}

/**
 * The reference's paid-endpoint example: charge first, then do the work. The deduction throws
 * `InsufficientCreditsError` before any work starts. With an `idempotencyKey` the charge happens
 * once, and `requestFingerprint` (of the whole request) makes the key unusable for another request;
 * the handler stores the response, so a retry does not run the work again either.
 */
export async function runGeneration(input: {
  userId: string;
  prompt: string;
  idempotencyKey?: string;
  requestFingerprint?: string;
}): Promise<GenerationResult> {
  const credits = await deductCreditsBonusFirst({
    userId: input.userId,
    credits: GENERATION_COST,
    reason: 'Run generation',
    // Usage by feature on the credits page groups by this key; its label is in billing.credits.features.
    feature: 'generation',
    idempotencyKey: input.idempotencyKey,
    requestFingerprint: input.requestFingerprint,
  });
  return { id: randomUUID(), output: executeGeneration(input.prompt), credits };
}

// Stands in for the paid work your product does (a model call, a render …).
function executeGeneration(prompt: string): string {
  const words = prompt.split(/\s+/).filter(Boolean);
  return `Generated from “${prompt}”: ${words.length} word${words.length === 1 ? '' : 's'}, ${prompt.length} characters.`;
}
