import { appConfig } from '@/config/app';
import { applyDefaultAlertThreshold } from '@/features/common/payments/service/alerts/low-balance';
import { personalWalletId } from '@/features/common/payments/service/ledger/ledger';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';

const SIGN_UP_BONUS_KEY = 'sign-up-bonus';

/**
 * Grants `billing.credits.initialBonusCredits` bonus credits to a new user, once: the fixed
 * idempotency key makes a second call (a replayed creation hook) return the first grant. Does nothing
 * when the bonus is 0 or credits are off, so signing up never fails because of it. Also gives the
 * wallet `lowBalanceAlertCredits` as its low-balance alert, unless it has one.
 */
export async function grantSignUpBonus(userId: string): Promise<void> {
  const { enabled, initialBonusCredits } = appConfig.billing.credits;
  if (!enabled) return;
  // A new wallet starts with the configured low-balance alert (set before the bonus arrives).
  await applyDefaultAlertThreshold(personalWalletId(userId));
  if (initialBonusCredits <= 0) return;
  await addCreditsDirectly(
    { userId, credits: initialBonusCredits, creditsType: 'bonus', reason: 'Sign-up bonus' },
    { type: 'signup_bonus', systemKey: SIGN_UP_BONUS_KEY },
  );
}
