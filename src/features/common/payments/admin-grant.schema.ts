import { z } from 'zod';

import { MAX_REASON_LENGTH } from '@/features/common/payments/service/credits-input.schema';

/** The fields every admin grant of bonus credits takes (to a user or to an organisation). */
export const adminGrantFields = {
  credits: z
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .positive({ message: 'must be greater than zero' })
    .max(Number.MAX_SAFE_INTEGER, { message: 'is too large' }),
  reason: z
    .string({ message: 'is required' })
    .trim()
    .min(1, { message: 'is required' })
    .max(MAX_REASON_LENGTH, { message: `must be at most ${MAX_REASON_LENGTH} characters` }),
  /** One per confirmed grant, so a double submit or a retried request grants once. */
  idempotencyKey: z.uuid().optional(),
};
