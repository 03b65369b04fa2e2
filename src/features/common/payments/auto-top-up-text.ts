import type { AutoTopUpSettings } from '@/features/common/payments/service/auto-top-up/auto-top-up.service';
import { cardName } from '@/features/common/payments/saved-card';
import { formatCount } from '@/shared/lib/format-count';

/*
 * What the credits page says about a wallet's auto top-up: on (with this month's count), paused (and
 * why), or off. Shared by the owners' form and the read-only line organisation members see; safe for
 * client components.
 */

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** "two", "three" … for small counts, digits otherwise. */
function inWords(n: number): string {
  return NUMBER_WORDS[n] ?? formatCount(n);
}

/** Whether auto top-up charges on the next crossing: on and not paused. */
export function autoTopUpIsOn(settings: Pick<AutoTopUpSettings, 'enabled' | 'paused'>): boolean {
  return settings.enabled && settings.paused === null;
}

/** "Starter Pack (1,000 credits) for $10.00", as agreed when it was turned on. */
export function agreedPurchase(settings: AutoTopUpSettings): string {
  const name = settings.choices.find((choice) => choice.packageId === settings.packageId)?.name ?? 'credits';
  const credits = settings.credits === null ? '' : ` (${formatCount(settings.credits)} credits)`;
  return `${name}${credits}${settings.amountText ? ` for ${settings.amountText}` : ''}`;
}

/**
 * The state of auto top-up in a sentence or two: "On: when the balance falls below 95 credits, … This
 * month: 1 of 3 used.", "Paused: …", "Off: …". `failuresBeforePause` is the config's count.
 */
export function autoTopUpStatusText(settings: AutoTopUpSettings, failuresBeforePause: number): string {
  if (settings.paused) {
    switch (settings.paused.reason) {
      case 'card_removed':
        return 'Paused: the saved card was removed. Save a card and turn auto top-up on again.';
      case 'price_changed':
        return 'Paused: the pack’s price changed since auto top-up was turned on, so nothing was charged. Check the new amount and turn it on again.';
      default: {
        const why = settings.lastFailure ? ` (${settings.lastFailure.message})` : '';
        const what = failuresBeforePause === 1 ? 'the last automatic charge failed' : `the last ${inWords(failuresBeforePause)} automatic charges failed`;
        return `Paused: ${what}${why}. Update the card or turn it on again.`;
      }
    }
  }
  if (!settings.enabled) return 'Off: no automatic charges.';
  const card = settings.card ? ` to ${cardName(settings.card)}` : '';
  return (
    `On: when the balance falls below ${formatCount(settings.thresholdCredits ?? 0)} credits, auto top-up buys ${agreedPurchase(settings)}${card}, ` +
    `at most ${formatCount(settings.maxPerMonth ?? 0)} ${settings.maxPerMonth === 1 ? 'time' : 'times'} a month. ` +
    `This month: ${formatCount(settings.usedThisMonth)} of ${formatCount(settings.maxPerMonth ?? 0)} used.`
  );
}

/** The last failed automatic charge, when auto top-up is still on: what happened and what comes next. */
export function lastFailureText(settings: AutoTopUpSettings): string | null {
  if (!settings.lastFailure || settings.paused || !settings.enabled) return null;
  const when = new Date(settings.lastFailure.at).toISOString().slice(0, 10);
  const message = settings.lastFailure.message.trim();
  return `The last automatic charge failed on ${when}: ${/[.!?]$/.test(message) ? message : `${message}.`} Auto top-up tries again the next time the balance falls below ${formatCount(settings.thresholdCredits ?? 0)} credits.`;
}
