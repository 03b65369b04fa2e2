'use server';

import { z } from 'zod';

import { validatedActionWithUser } from '@/features/common/auth/validated-action';
import { disableAutoTopUp, openPaymentMethods, setAutoTopUp, startCardSetup } from '@/features/common/payments/service/auto-top-up/auto-top-up.service';
import { removeSimulatedCard, saveSimulatedCard } from '@/features/common/payments/service/auto-top-up/simulator-card';

/*
 * Auto top-up for the signed-in user's wallet, or with `organizationId` an organisation's (owners and
 * admins). The service checks every value; these only give them their shape.
 */

const wallet = { organizationId: z.uuid({ message: 'must be an organization id' }).nullable().optional() };
const owner = (userId: string, organizationId: string | null | undefined) => ({ userId, ...(organizationId && { organizationId }) });

const saveSchema = z.object({
  ...wallet,
  thresholdCredits: z.number(),
  packageId: z.string().max(100),
  maxPerMonth: z.number(),
  expectedAmountMinor: z.number(),
  currency: z.string().max(10).optional(),
});

/** Turns auto top-up on, or changes it, for exactly the amount the user was shown (`expectedAmountMinor`). */
export const saveAutoTopUp = validatedActionWithUser(saveSchema, async (input, user) =>
  setAutoTopUp({
    ...owner(user.id, input.organizationId),
    thresholdCredits: input.thresholdCredits,
    packageId: input.packageId,
    maxPerMonth: input.maxPerMonth,
    expectedAmountMinor: input.expectedAmountMinor,
    ...(input.currency !== undefined && { currency: input.currency }),
  }),
);

/** Turns auto top-up off; the card stays saved. */
export const turnOffAutoTopUp = validatedActionWithUser(z.object(wallet), async (input, user) => disableAutoTopUp(owner(user.id, input.organizationId)));

/** Where to send the browser to save a card: Stripe Checkout in setup mode, or the simulator's card page. */
export const startSavingCard = validatedActionWithUser(z.object(wallet), async (input, user) => startCardSetup(owner(user.id, input.organizationId)));

/** Where to send the browser to manage saved cards: Stripe's customer portal, or the simulator's card page. */
export const managePaymentMethods = validatedActionWithUser(z.object(wallet), async (input, user) => openPaymentMethods(owner(user.id, input.organizationId)));

/** The simulator's card page: save one of the test cards (simulator mode only). */
export const saveTestCard = validatedActionWithUser(z.object({ ...wallet, card: z.string().max(50) }), async (input, user) =>
  saveSimulatedCard({ ...owner(user.id, input.organizationId), card: input.card }),
);

/** The simulator's card page: remove the saved card (simulator mode only). */
export const removeTestCard = validatedActionWithUser(z.object(wallet), async (input, user) => removeSimulatedCard(owner(user.id, input.organizationId)));
