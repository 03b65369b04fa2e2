'use server';

import { z } from 'zod';

import { validatedActionWithUser } from '@/features/common/auth/validated-action';
import { setLowBalanceAlert } from '@/features/common/payments/service/alerts/low-balance';

const lowBalanceAlertSchema = z.object({ thresholdCredits: z.number() });

/** Sets the signed-in user's low-balance alert, in credits (0: off). The service checks the number. */
export const saveLowBalanceAlert = validatedActionWithUser(lowBalanceAlertSchema, async (input, user) =>
  setLowBalanceAlert({ userId: user.id, thresholdCredits: input.thresholdCredits }),
);
