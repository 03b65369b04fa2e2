'use server';

import { z } from 'zod';

import { validatedActionWithUser } from '@/features/common/auth/validated-action';
import { getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';

/** The signed-in user's balances: what `useCredits()` shows and refreshes. */
export const getMyCredits = validatedActionWithUser(z.void(), async (_input, user) => getCreditsBalance(user.id));
