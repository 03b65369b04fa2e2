import { z } from 'zod';

import { appConfig } from '@/config/app';
import { FEATURE_KEY } from '@/config/app-config.schema';
import { CreditsDisabledError, InvalidCreditsInputError } from '@/features/common/payments/service/credits-errors';
import { creditTransactionType } from '@/shared/db/schema';

/** The largest number of credits one call may move: balances are `bigint`, read as exact JS numbers. */
export const MAX_CREDITS_PER_OPERATION = Number.MAX_SAFE_INTEGER;
export const MAX_REASON_LENGTH = 500;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

const userId = z.string({ message: 'must be a string' }).trim().min(1, { message: 'must not be empty' }).max(255);
const credits = z
  .number({ message: 'must be a number' })
  .int({ message: 'must be a whole number' })
  .positive({ message: 'must be greater than zero' })
  .max(MAX_CREDITS_PER_OPERATION, { message: `must be at most ${MAX_CREDITS_PER_OPERATION}` });
const reason = z
  .string({ message: 'must be a string' })
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(MAX_REASON_LENGTH, { message: `must be at most ${MAX_REASON_LENGTH} characters` });
/** Keys the module writes for its own operations (purchases, the sign-up bonus) start with this. */
export const SYSTEM_KEY_PREFIX = 'system:';

const idempotencyKey = z
  .string({ message: 'must be a string' })
  .min(1, { message: 'must not be empty' })
  .max(MAX_IDEMPOTENCY_KEY_LENGTH, { message: `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` })
  // A caller's key can never take the place of one of ours, so no request can pre-empt a purchase.
  .refine((key) => !key.startsWith(SYSTEM_KEY_PREFIX), { message: `must not start with "${SYSTEM_KEY_PREFIX}" (reserved)` })
  .optional();
const metadata = z.record(z.string(), z.unknown()).optional();
/** An organisation whose wallet the call uses instead of the user's own. */
const organizationId = z.uuid({ message: 'must be an organization id (a UUID)' }).optional();
/** What the credits were spent on: a key of `billing.credits.features` in config, or any short slug. */
const feature = z
  .string({ message: 'must be a string' })
  .regex(FEATURE_KEY, { message: 'must be a short lowercase key such as "generation"' })
  .optional();

export const deductCreditsSchema = z.object({ userId, organizationId, credits, reason, idempotencyKey, metadata, feature });
export type DeductCreditsInput = z.input<typeof deductCreditsSchema>;

export const addCreditsSchema = z
  .object({
  /** The user whose personal wallet receives them; optional when `organizationId` names the wallet. */
  userId: userId.optional(),
  organizationId,
  credits,
  creditsType: z.enum(['bonus', 'purchased'], { message: 'must be "bonus" or "purchased"' }),
  reason,
  /** Who granted them: an admin's user id. Omitted for grants made by the system. */
  actorId: userId.optional(),
  idempotencyKey,
  metadata,
  /** When the credits lapse; omitted: per config (`bonusExpiresAfterDays` for bonus credits), else never. */
  expiresAt: z.date({ message: 'must be a Date' }).refine((at) => !Number.isNaN(at.getTime()), { message: 'must be a valid date' }).optional(),
})
  .refine((input) => input.userId || input.organizationId, { message: 'needs a userId or an organizationId', path: ['userId'] });
export type AddCreditsInput = z.input<typeof addCreditsSchema>;

/** The longest a hold may stay open: what it reserves is out of reach until it closes. */
export const MAX_HOLD_SECONDS = 24 * 60 * 60;

export const reserveCreditsSchema = z.object({
  userId,
  organizationId,
  credits,
  reason,
  idempotencyKey,
  metadata,
  feature,
  expiresInSeconds: z
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number of seconds' })
    .min(1, { message: 'must be at least 1' })
    .max(MAX_HOLD_SECONDS, { message: `must be at most ${MAX_HOLD_SECONDS} (24 hours)` })
    .optional(),
});
export type ReserveCreditsInput = z.input<typeof reserveCreditsSchema>;

const holdId = z.uuid({ message: 'must be a hold id' });

export const settleCreditHoldSchema = z.object({
  userId,
  organizationId,
  holdId,
  credits: z
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(0, { message: 'must be zero or more' })
    .max(MAX_CREDITS_PER_OPERATION, { message: `must be at most ${MAX_CREDITS_PER_OPERATION}` }),
  reason: reason.optional(),
  allowOverage: z.boolean({ message: 'must be true or false' }).optional(),
});
export type SettleCreditHoldInput = z.input<typeof settleCreditHoldSchema>;

export const releaseCreditHoldSchema = z.object({ userId, organizationId, holdId, reason: reason.optional() });
export type ReleaseCreditHoldInput = z.input<typeof releaseCreditHoldSchema>;

const instant = z.date({ message: 'must be a Date' }).refine((at) => !Number.isNaN(at.getTime()), { message: 'must be a valid date' });

export const listTransactionsSchema = z.object({
  limit: z.number().int().min(1).max(100).default(20),
  cursor: z.number().int().positive().optional(),
  /** Only entries of these types. */
  types: z.array(z.enum(creditTransactionType.enumValues, { message: 'must be ledger entry types' })).min(1).max(creditTransactionType.enumValues.length).optional(),
  /** Only entries from this time on. */
  from: instant.optional(),
  /** Only entries before this time (exclusive). */
  to: instant.optional(),
});
export type ListTransactionsOptions = z.input<typeof listTransactionsSchema>;

/**
 * Validates a service's arguments, refusing everything while credits are switched off. Throws
 * before any query, so a bad call writes nothing.
 */
export function parseCreditsInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  if (!appConfig.billing.credits.enabled) throw new CreditsDisabledError();
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidCreditsInputError(
    result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}
