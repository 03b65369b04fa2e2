'use server';

import { z } from 'zod';

import { validatedActionWithUser } from '@/features/common/auth/validated-action';
import { getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';

/**
 * The signed-in user's balances — or, with `organizationId`, that organisation's, for one of its
 * members (NOT_ORGANIZATION_MEMBER otherwise): what `useCredits()` shows and refreshes.
 */
export const getMyCredits = validatedActionWithUser(
  z.union([z.void(), z.strictObject({ organizationId: z.uuid({ message: 'must be an organization id' }).nullable().optional() })]),
  async (input, user) => getCreditsBalance(user.id, { organizationId: input ? (input.organizationId ?? null) : null }),
);
