import type { CreditsConfig } from '@/config/app-config.schema';
import { formatCount } from '@/shared/lib/format-count';
import { formatMoney } from '@/shared/lib/money';

/*
 * The rules of a manual top-up (the buyer names a credit count), shared by the top-up modal, which
 * refuses a bad amount before any request, and the server, which decides the price. Integer maths
 * only: prices are in the currency's minor unit.
 */

export type ManualTopUpConfig = Pick<CreditsConfig, 'enterManually' | 'pricePerCreditMinor' | 'maxManualCredits' | 'currency' | 'minimumChargeMinor'>;

export interface ManualTopUpLimits {
  /** The fewest credits whose price reaches the minimum charge. */
  minCredits: number;
  maxCredits: number;
}

/** The limits of a manual top-up: the minimum is Stripe's minimum charge in the currency (`minimumChargeMinor`, from config). */
export function manualTopUpLimits(config: Pick<ManualTopUpConfig, 'pricePerCreditMinor' | 'maxManualCredits' | 'minimumChargeMinor'>): ManualTopUpLimits {
  return { minCredits: Math.ceil(config.minimumChargeMinor / config.pricePerCreditMinor), maxCredits: config.maxManualCredits };
}

/** The price of `credits` in minor units. Throws a `RangeError` unless both it and the price are exact integers. */
export function priceForCredits(credits: number, config: Pick<ManualTopUpConfig, 'pricePerCreditMinor'>): number {
  const price = credits * config.pricePerCreditMinor;
  if (!Number.isSafeInteger(credits) || credits <= 0 || !Number.isSafeInteger(price)) {
    throw new RangeError(`Cannot price ${credits} credits: expected a positive whole number with an exact price`);
  }
  return price;
}

export type ManualTopUpCheck =
  | { ok: true; credits: number; amountMinor: number }
  | { ok: false; code: 'MANUAL_TOP_UP_DISABLED' | 'NOT_A_WHOLE_NUMBER' | 'BELOW_MINIMUM' | 'ABOVE_MAXIMUM'; message: string };

/** Whether `credits` may be bought as a manual top-up, and at what price; the message is for the buyer. */
export function checkManualTopUp(credits: number, config: ManualTopUpConfig): ManualTopUpCheck {
  if (!config.enterManually) return { ok: false, code: 'MANUAL_TOP_UP_DISABLED', message: 'Choose one of the credit packages.' };
  if (!Number.isSafeInteger(credits)) {
    return { ok: false, code: 'NOT_A_WHOLE_NUMBER', message: 'Enter a whole number of credits.' };
  }
  const { minCredits, maxCredits } = manualTopUpLimits(config);
  if (credits < minCredits) {
    const minimumPrice = formatMoney(priceForCredits(minCredits, config), config.currency);
    return { ok: false, code: 'BELOW_MINIMUM', message: `The minimum is ${formatCount(minCredits)} credits (${minimumPrice}).` };
  }
  if (credits > maxCredits) {
    return { ok: false, code: 'ABOVE_MAXIMUM', message: `The maximum is ${formatCount(maxCredits)} credits.` };
  }
  return { ok: true, credits, amountMinor: priceForCredits(credits, config) };
}
