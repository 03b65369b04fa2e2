import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';

import { appConfig } from '@/config/app';
import { UserNotFoundError } from '@/features/common/payments/service/credits-errors';
import { parseCreditsInput, walletOwnerSchema } from '@/features/common/payments/service/credits-input.schema';
import { walletOf } from '@/features/common/payments/service/ledger/ledger';
import { assertCanReadWallet, MANAGER_ROLES, requireMember } from '@/features/common/payments/service/organizations/membership';
import { getDb } from '@/shared/db/client';
import { creditBalances } from '@/shared/db/schema';

/*
 * Low-balance alerts. The threshold lives on the wallet's balance row, where the ledger's own
 * statement sees it: a trigger (drizzle/0017_low_balance_alerts.sql) queues one `low_balance_alert`
 * and one `low_balance_callback` job in the transaction of the change that takes available credits
 * from at least the threshold to below it. This file only reads and sets the threshold.
 */

export interface LowBalanceAlertSettings {
  /** The wallet's threshold in credits; 0 when alerts are off; null when never set (see `suggestedCredits`). */
  thresholdCredits: number | null;
  /** `billing.credits.lowBalanceAlertCredits`: what a new wallet starts with, and what the form suggests. */
  suggestedCredits: number;
}

const settingsSchema = walletOwnerSchema.extend({
  thresholdCredits: z
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number of credits' })
    .min(0, { message: 'must be 0 (off) or more' })
    .max(Number.MAX_SAFE_INTEGER, { message: 'is too large' }),
});

/** The low-balance alert of a user's wallet (or, with `organizationId`, of an organisation's the user belongs to). */
export async function getLowBalanceAlert(input: { userId: string; organizationId?: string }): Promise<LowBalanceAlertSettings> {
  const { userId, organizationId } = parseCreditsInput(walletOwnerSchema, input);
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  await assertCanReadWallet(db, wallet);
  const [row] = await db.select({ threshold: creditBalances.alertThreshold }).from(creditBalances).where(eq(creditBalances.walletId, wallet.walletId));
  if (!row) throw new UserNotFoundError(userId);
  return { thresholdCredits: row.threshold ?? null, suggestedCredits: appConfig.billing.credits.lowBalanceAlertCredits };
}

/**
 * Sets the wallet's low-balance threshold in credits (0 turns alerts off). From the next change that
 * takes available credits below it, one email and one `onCreditsLow` call follow per crossing. An
 * organisation's threshold is for its owners and admins (`OrganizationRoleRequiredError`). Bad input:
 * `InvalidCreditsInputError`, nothing written.
 */
export async function setLowBalanceAlert(input: { userId: string; organizationId?: string; thresholdCredits: number }): Promise<LowBalanceAlertSettings> {
  const { userId, organizationId, thresholdCredits } = parseCreditsInput(settingsSchema, input);
  const wallet = walletOf({ userId, organizationId });
  const db = await getDb();
  // A personal wallet is its user's own; an organisation's threshold is for its owners and admins.
  if (organizationId) await requireMember(db, organizationId, userId, MANAGER_ROLES);
  const updated = await db
    .update(creditBalances)
    .set({ alertThreshold: thresholdCredits })
    .where(eq(creditBalances.walletId, wallet.walletId))
    .returning({ walletId: creditBalances.walletId });
  if (updated.length === 0) throw new UserNotFoundError(userId);
  return { thresholdCredits, suggestedCredits: appConfig.billing.credits.lowBalanceAlertCredits };
}

/** Gives a new wallet the configured default threshold, unless one was set already. Idempotent. */
export async function applyDefaultAlertThreshold(walletId: string): Promise<void> {
  const credits = appConfig.billing.credits.lowBalanceAlertCredits;
  if (credits <= 0) return;
  const db = await getDb();
  await db
    .update(creditBalances)
    .set({ alertThreshold: credits })
    .where(and(eq(creditBalances.walletId, walletId), isNull(creditBalances.alertThreshold)));
}
