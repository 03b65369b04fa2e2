import { z } from 'zod';

import { appConfig } from '@/config/app';
import { FEATURE_KEY } from '@/config/app-config.schema';
import { CreditsDisabledError, InvalidCreditsInputError } from '@/features/common/payments/service/credits-errors';
import { creditTransactionType } from '@/shared/db/schema';

/** The largest number of credits one call may move: balances are `bigint`, read as exact JS numbers. */
export const MAX_CREDITS_PER_OPERATION = Number.MAX_SAFE_INTEGER;
export const MAX_REASON_LENGTH = 500;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Serialised metadata is kept to this many characters, and nested at most this deep. */
export const MAX_METADATA_LENGTH = 16_384;
export const MAX_METADATA_DEPTH = 8;

/**
 * Why a string cannot be stored as text, or `null`. Postgres refuses U+0000 in `text` and `jsonb`
 * (a raw "Failed query" otherwise), and a lone UTF-16 surrogate would be replaced by U+FFFD on its way
 * to UTF-8 — stored as something other than what the caller sent. Both are refused up front.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(value)) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

/** A string that Postgres stores exactly as given. */
export const storableString = (message = 'must be a string') =>
  z.string({ message }).check((ctx) => {
    const problem = textProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Why `value` is not JSON that round-trips through `jsonb` unchanged, or `null`. */
export function jsonProblem(value: unknown, depth = 0): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'string') return textProblem(value);
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'must contain only finite numbers';
  if (depth >= MAX_METADATA_DEPTH) return `must be nested at most ${MAX_METADATA_DEPTH} levels deep`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblem(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const problem = textProblem(key) ?? jsonProblem(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  return 'must contain only JSON values: strings, finite numbers, booleans, null, arrays and plain objects';
}

const userId = storableString().trim().min(1, { message: 'must not be empty' }).max(255, { message: 'must be at most 255 characters' });
const credits = z
  .number({ message: 'must be a number' })
  .int({ message: 'must be a whole number' })
  .positive({ message: 'must be greater than zero' })
  .max(MAX_CREDITS_PER_OPERATION, { message: `must be at most ${MAX_CREDITS_PER_OPERATION}` });
const reason = storableString()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(MAX_REASON_LENGTH, { message: `must be at most ${MAX_REASON_LENGTH} characters` });
/** Keys the module writes for its own operations (purchases, the sign-up bonus) start with this. */
export const SYSTEM_KEY_PREFIX = 'system:';

const idempotencyKey = storableString()
  .min(1, { message: 'must not be empty' })
  .refine((key) => key.trim() !== '', { message: 'must not be blank' })
  .max(MAX_IDEMPOTENCY_KEY_LENGTH, { message: `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` })
  // A caller's key can never take the place of one of ours, so no request can pre-empt a purchase.
  .refine((key) => !key.startsWith(SYSTEM_KEY_PREFIX), { message: `must not start with "${SYSTEM_KEY_PREFIX}" (reserved)` })
  .optional();
/** An organisation whose wallet the call uses instead of the user's own. */
const organizationId = z.uuid({ message: 'must be an organization id (a UUID)' }).optional();
export const organizationIdSchema = organizationId;
/** Whose wallet a call is about: the user's own, or with `organizationId` an organisation's they belong to. */
export const walletOwnerSchema = z.object({ userId, organizationId });
/** A buyer's explicit choice of currency: three letters, lowercased (whether the app sells in it is checked against config). */
export const currencyChoiceSchema = z
  .string({ message: 'must be a currency code' })
  .regex(/^[A-Za-z]{3}$/, { message: 'must be a three-letter currency code' })
  .transform((code) => code.toLowerCase())
  .optional();
/** What the credits were spent on: a key of `billing.credits.features` in config, or any short slug. */
const feature = z.string({ message: 'must be a string' }).regex(FEATURE_KEY, { message: 'must be a short lowercase key such as "generation"' }).optional();

/**
 * What the whole request behind an idempotency key asked for (see `fingerprintRequest`): the same key
 * with another fingerprint is a conflict, so a reused key can never pay for different work.
 */
const requestFingerprint = storableString()
  .min(1, { message: 'must not be empty' })
  .refine((fingerprint) => fingerprint.trim() !== '', { message: 'must not be blank' })
  .max(MAX_IDEMPOTENCY_KEY_LENGTH, { message: `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` })
  .optional();
const metadata = z
  .custom<Record<string, unknown>>(isPlainObject, { message: 'must be a plain object' })
  .check((ctx) => {
    const problem = jsonProblem(ctx.value, 0);
    if (problem) {
      ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
      return;
    }
    if (JSON.stringify(ctx.value).length > MAX_METADATA_LENGTH) {
      ctx.issues.push({ code: 'custom', message: `must be at most ${MAX_METADATA_LENGTH} characters as JSON`, input: ctx.value });
    }
  })
  .optional();

export const deductCreditsSchema = z.object({ userId, organizationId, credits, reason, idempotencyKey, requestFingerprint, metadata, feature });
export type DeductCreditsInput = z.input<typeof deductCreditsSchema>;
type DeductCreditsArguments = z.output<typeof deductCreditsSchema>;

/** A string the schema above takes for a trimmed field of at most `max` characters, trimmed as it would; otherwise null. */
function trimmedText(value: unknown, max: number): string | null {
  if (typeof value !== 'string' || textProblem(value) !== null) return null;
  const trimmed = value.trim();
  return trimmed.length >= 1 && trimmed.length <= max ? trimmed : null;
}

/** Whether an optional key or fingerprint is absent or one the schema above takes as it is. */
function acceptedKey(value: unknown, reserved: boolean): boolean {
  if (value === undefined) return true;
  return (
    typeof value === 'string' &&
    value.length <= MAX_IDEMPOTENCY_KEY_LENGTH &&
    value.trim() !== '' &&
    textProblem(value) === null &&
    !(reserved && value.startsWith(SYSTEM_KEY_PREFIX))
  );
}

/**
 * The arguments of a deduction, as `parseCreditsInput(deductCreditsSchema, input)` gives them, for the
 * hot path: a call whose every value the schema plainly takes is checked by hand against the same
 * rules and returned as the schema would return it; anything else (a bad value, an organisation,
 * anything unusual) goes through the schema, so every refusal is the schema's own, word for word.
 */
export function parseDeductInput(input: unknown): DeductCreditsArguments {
  if (!appConfig.billing.credits.enabled) throw new CreditsDisabledError();
  return plainDeduction(input) ?? parseServiceInput(deductCreditsSchema, input);
}

function plainDeduction(input: unknown): DeductCreditsArguments | null {
  if (!isPlainObject(input)) return null;
  const { organizationId, credits, idempotencyKey, requestFingerprint, metadata, feature } = input;
  if (organizationId !== undefined) return null;
  if (typeof credits !== 'number' || !Number.isSafeInteger(credits) || credits <= 0) return null;
  const userId = trimmedText(input.userId, 255);
  const reason = trimmedText(input.reason, MAX_REASON_LENGTH);
  if (userId === null || reason === null) return null;
  if (!acceptedKey(idempotencyKey, true) || !acceptedKey(requestFingerprint, false)) return null;
  if (feature !== undefined && (typeof feature !== 'string' || !FEATURE_KEY.test(feature))) return null;
  const plainMetadata =
    metadata === undefined || (isPlainObject(metadata) && jsonProblem(metadata, 0) === null && JSON.stringify(metadata).length <= MAX_METADATA_LENGTH);
  if (!plainMetadata) return null;
  return {
    userId,
    credits,
    reason,
    idempotencyKey: idempotencyKey as string | undefined,
    requestFingerprint: requestFingerprint as string | undefined,
    metadata: metadata as Record<string, unknown> | undefined,
    feature: feature as string | undefined,
  };
}

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
    requestFingerprint,
    metadata,
    /** When the credits lapse; omitted: per config (`bonusExpiresAfterDays` for bonus credits), else never. */
    expiresAt: z
      .date({ message: 'must be a Date' })
      .refine((at) => !Number.isNaN(at.getTime()), { message: 'must be a valid date' })
      .optional(),
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
  requestFingerprint,
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

/** The user a read-only service is asked about. */
export const userIdSchema = z.object({ userId });

const instant = z.date({ message: 'must be a Date' }).refine((at) => !Number.isNaN(at.getTime()), { message: 'must be a valid date' });

export const listOptionsSchema = z.object({
  limit: z.number().int().min(1).max(100).default(20),
  cursor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  /** Only entries of these types. */
  types: z
    .array(z.enum(creditTransactionType.enumValues, { message: 'must be ledger entry types' }))
    .min(1)
    .max(creditTransactionType.enumValues.length)
    .optional(),
  /** Only entries from this time on. */
  from: instant.optional(),
  /** Only entries before this time (exclusive). */
  to: instant.optional(),
});
export const listTransactionsSchema = z.object({
  userId,
  options: listOptionsSchema.extend({ organizationId: organizationId.nullable() }).default({ limit: 20 }),
});
export type ListTransactionsOptions = z.input<typeof listOptionsSchema> & { organizationId?: string | null };

/**
 * Validates a service's arguments, refusing everything while credits are switched off. Throws
 * before any query, so a bad call writes nothing.
 */
export function parseCreditsInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  if (!appConfig.billing.credits.enabled) throw new CreditsDisabledError();
  return parseServiceInput(schema, input);
}

/** Validates arguments like `parseCreditsInput`, also while credits are off (for reads that still work then). */
export function parseServiceInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new InvalidCreditsInputError(result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
}
