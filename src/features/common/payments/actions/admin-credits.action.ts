'use server';

import { z } from 'zod';

import { adminGrantFields } from '@/features/common/payments/admin-grant.schema';
import { validatedActionWithAdmin } from '@/features/common/auth/validated-action';
import { MAX_REASON_LENGTH } from '@/features/common/payments/service/credits-input.schema';
import { creditPurchaseUnderReview } from '@/features/common/payments/service/fulfilment';
import { correctCredits } from '@/features/common/payments/service/ledger/corrections';
import { endCreditLot } from '@/features/common/payments/service/ledger/lots';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';

const grantBonusCreditsSchema = z.object({
  userId: z.string().trim().min(1, { message: 'choose a user' }),
  ...adminGrantFields,
  /**
   * The last day (UTC, `YYYY-MM-DD`) the credits can be spent; they expire when it ends. Omitted:
   * `billing.credits.bonusExpiresAfterDays` decides (never, unless configured).
   */
  expiresOn: z
    .string({ message: 'must be a date' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date such as 2027-01-31' })
    .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day), {
      message: 'must be a real date',
    })
    .optional(),
});
export type GrantBonusCreditsInput = z.input<typeof grantBonusCreditsSchema>;

/**
 * Admins only: adds bonus credits to a user's balance, recorded in the ledger with the admin as
 * actor. Anyone else gets FORBIDDEN (or UNAUTHENTICATED) and nothing is written.
 */
export const grantBonusCredits = validatedActionWithAdmin(grantBonusCreditsSchema, async (input, admin) =>
  addCreditsDirectly({
    userId: input.userId,
    credits: input.credits,
    creditsType: 'bonus',
    reason: input.reason,
    actorId: admin.id,
    idempotencyKey: input.idempotencyKey && `admin-grant:${input.idempotencyKey}`,
    // Spendable through the whole of the chosen day; addCreditsDirectly refuses a day already over.
    expiresAt: input.expiresOn ? new Date(Date.parse(`${input.expiresOn}T00:00:00Z`) + 24 * 60 * 60 * 1000) : undefined,
  }),
);

const endUserCreditLotSchema = z.object({
  userId: z.string().trim().min(1, { message: 'choose a user' }),
  lotId: z.uuid({ message: 'must be a lot id' }),
  reason: z
    .string({ message: 'is required' })
    .trim()
    .min(1, { message: 'is required' })
    .max(MAX_REASON_LENGTH, { message: `must be at most ${MAX_REASON_LENGTH} characters` }),
});
export type EndUserCreditLotInput = z.input<typeof endUserCreditLotSchema>;

/**
 * Admins only: ends one of a user's lots now; what is left of it leaves the balance in an
 * `expiration` entry with the admin as actor and the reason. Ending it again changes nothing.
 * Anyone else gets FORBIDDEN (or UNAUTHENTICATED) and nothing is written.
 */
export const endUserCreditLot = validatedActionWithAdmin(endUserCreditLotSchema, async (input, admin) =>
  endCreditLot({ adminId: admin.id, userId: input.userId, lotId: input.lotId, reason: input.reason }),
);

/**
 * Admins only: credits a purchase held for review (Stripe charged something other than its price)
 * as it was bought, once. Refunding it instead happens in the Stripe dashboard.
 */
export const creditReviewedPurchase = validatedActionWithAdmin(z.object({ purchaseId: z.uuid() }), async (input, admin) => {
  await creditPurchaseUnderReview(input.purchaseId, admin.id);
  return { purchaseId: input.purchaseId };
});

const correctUserCreditsSchema = z.object({
  userId: z.string().trim().min(1, { message: 'choose a user' }),
  bucket: z.enum(['bonus', 'purchased'], { message: 'choose bonus or purchased credits' }),
  /** Signed: below zero takes credits away. */
  credits: z
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .refine((credits) => credits !== 0, { message: 'must not be zero' })
    .refine((credits) => Math.abs(credits) <= Number.MAX_SAFE_INTEGER, { message: 'is too large' }),
  reason: z
    .string({ message: 'is required' })
    .trim()
    .min(1, { message: 'is required' })
    .max(MAX_REASON_LENGTH, { message: `must be at most ${MAX_REASON_LENGTH} characters` }),
  /** One per confirmed correction, so a double submit or a retried request applies once. */
  idempotencyKey: z.uuid(),
});
export type CorrectUserCreditsInput = z.input<typeof correctUserCreditsSchema>;

/**
 * Admins only: revokes bonus credits, or corrects purchased credits either way, as a `correction`
 * entry with the admin as actor; never below zero (CORRECTION_BELOW_ZERO, nothing written). Anyone
 * else gets FORBIDDEN (or UNAUTHENTICATED) and nothing is written.
 */
export const correctUserCredits = validatedActionWithAdmin(correctUserCreditsSchema, async (input, admin) =>
  correctCredits({
    userId: input.userId,
    bucket: input.bucket,
    credits: input.credits,
    reason: input.reason,
    adminId: admin.id,
    idempotencyKey: `admin-correction:${input.idempotencyKey}`,
  }),
);
