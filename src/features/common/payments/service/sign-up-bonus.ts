import { appConfig } from '@/config/app';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';

const SIGN_UP_BONUS_KEY = 'sign-up-bonus';

/**
 * Grants `billing.credits.initialBonusCredits` bonus credits to a new user, once: the fixed
 * idempotency key makes a second call (a replayed creation hook) return the first grant. Does nothing
 * when the bonus is 0 or credits are off, so signing up never fails because of it.
 */
export async function grantSignUpBonus(userId: string): Promise<void> {
  const { enabled, initialBonusCredits } = appConfig.billing.credits;
  if (!enabled || initialBonusCredits <= 0) return;
  await addCreditsDirectly(
    { userId, credits: initialBonusCredits, creditsType: 'bonus', reason: 'Sign-up bonus' },
    { type: 'signup_bonus', systemKey: SIGN_UP_BONUS_KEY },
  );
}
