import { z } from 'zod';

import { CorrectionBelowZeroError } from '@/features/common/payments/service/credits-errors';
import {
  MAX_CREDITS_PER_OPERATION,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_REASON_LENGTH,
  parseCreditsInput,
  storableString,
  SYSTEM_KEY_PREFIX,
} from '@/features/common/payments/service/credits-input.schema';
import { toCreditsBalance, type CreditsBalance } from '@/features/common/payments/service/ledger/balances';
import {
  expectApplied,
  fingerprint,
  ledger,
  organizationWalletId,
  personalWalletId,
  runLedger,
  type WalletRef,
} from '@/features/common/payments/service/ledger/ledger';
import { getDb } from '@/shared/db/client';

const id = storableString().trim().min(1, { message: 'must not be empty' }).max(255, { message: 'must be at most 255 characters' });

export const correctCreditsSchema = z
  .object({
    /** The user whose personal wallet is corrected; or `organizationId` for an organisation's wallet. */
    userId: id.optional(),
    organizationId: z.uuid({ message: 'must be an organization id (a UUID)' }).optional(),
    bucket: z.enum(['bonus', 'purchased'], { message: 'must be "bonus" or "purchased"' }),
    /** Signed: below zero takes credits out of the bucket, above zero puts them in. */
    credits: z
      .number({ message: 'must be a number' })
      .int({ message: 'must be a whole number' })
      .refine((credits) => credits !== 0, { message: 'must not be zero' })
      .refine((credits) => Math.abs(credits) <= MAX_CREDITS_PER_OPERATION, { message: `must be at most ${MAX_CREDITS_PER_OPERATION} either way` }),
    reason: storableString()
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(MAX_REASON_LENGTH, { message: `must be at most ${MAX_REASON_LENGTH} characters` }),
    /** The admin making the correction, recorded as the entry's actor. */
    adminId: id,
    idempotencyKey: storableString()
      .min(1, { message: 'must not be empty' })
      .refine((key) => key.trim() !== '', { message: 'must not be blank' })
      .max(MAX_IDEMPOTENCY_KEY_LENGTH, { message: `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` })
      .refine((key) => !key.startsWith(SYSTEM_KEY_PREFIX), { message: `must not start with "${SYSTEM_KEY_PREFIX}" (reserved)` })
      .optional(),
  })
  .refine((input) => Boolean(input.userId) !== Boolean(input.organizationId), { message: 'needs exactly one of userId and organizationId', path: ['userId'] });
export type CorrectCreditsInput = z.input<typeof correctCreditsSchema>;

export interface CorrectCreditsResult extends CreditsBalance {
  /** The `correction` entry. */
  transactionId: string;
  bucket: 'bonus' | 'purchased';
  /** Signed, as applied. */
  credits: number;
}

/**
 * An admin's correction of one bucket of a wallet: revoking bonus credits, or correcting purchased
 * credits either way. One ledger call writes a `correction` entry with the admin as actor, changing
 * the bucket and its lots under the wallet's lock.
 *
 * - Never below zero: taking more than the bucket's spendable credits (held and expired ones are not)
 *   throws `CorrectionBelowZeroError` and writes nothing.
 * - With an `idempotencyKey`, a retry (a double-click on "Confirm") applies once and returns the first
 *   result; the same key with another request throws `IdempotencyConflictError`.
 * - Bad arguments throw `InvalidCreditsInputError`, an unknown wallet `UserNotFoundError` or
 *   `OrganizationNotFoundError`; none of them writes anything.
 *
 * The caller authorises: only an admin may call this (see `correctCredits` in admin-credits.action.ts).
 */
export async function correctCredits(input: CorrectCreditsInput): Promise<CorrectCreditsResult> {
  const { userId, organizationId, bucket, credits, reason, adminId, idempotencyKey } = parseCreditsInput(correctCreditsSchema, input);
  // An admin acts on the wallet itself, not as one of an organisation's members: no membership or cap applies.
  const wallet: WalletRef = organizationId
    ? { walletId: organizationWalletId(organizationId), userId: null, organizationId, memberId: null }
    : { walletId: personalWalletId(userId!), userId: userId!, organizationId: null, memberId: null };
  const requestFingerprint = idempotencyKey ? fingerprint('correct', bucket, credits, reason) : null;
  const db = await getDb();
  const outcome = await runLedger(db, ledger.correct(wallet, bucket, credits, { reason, actorId: adminId, idempotencyKey, requestFingerprint }));
  if (outcome.status === 'insufficient') {
    throw new CorrectionBelowZeroError(bucket, -credits, Number(outcome.detail?.bucketAvailable ?? 0));
  }
  const applied = expectApplied(outcome, { wallet, credits: Math.abs(credits), idempotencyKey });
  return {
    ...toCreditsBalance(applied.balances!),
    transactionId: String(applied.entry.id),
    bucket,
    credits: bucket === 'bonus' ? applied.entry.bonusDelta : applied.entry.purchasedDelta,
  };
}
