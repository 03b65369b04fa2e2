'use client';

import { useSyncExternalStore } from 'react';

import { getMyCredits } from '@/features/common/payments/actions/get-my-credits.action';
import { startCreditsCheckout } from '@/features/common/payments/actions/start-checkout.action';
import type { CreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import type { ActionError } from '@/shared/lib/action-result';

/*
 * One balance per page, shared by every component that calls `useCredits()`: a module-level store
 * read through `useSyncExternalStore`. It loads when the first component mounts, again when the tab
 * comes back into view, and whenever someone calls `refresh()` or `notifyCreditsChanged()`, so a
 * deduction made anywhere in the app updates the header badge and every card at once.
 */

interface CreditsState {
  balance: CreditsBalance | null;
  error: ActionError | null;
}

const initialState: CreditsState = { balance: null, error: null };
let state = initialState;
const listeners = new Set<() => void>();

function setState(next: CreditsState) {
  state = next;
  for (const listener of listeners) listener();
}

let inflight: Promise<CreditsBalance | null> | null = null;
let changedWhileLoading = false;

async function loadOnce(): Promise<CreditsBalance | null> {
  try {
    const result = await getMyCredits();
    if (result.ok) {
      setState({ balance: result.data, error: null });
      return result.data;
    }
    setState({ ...state, error: result.error });
  } catch {
    setState({
      ...state,
      error: {
        code: 'NETWORK_ERROR',
        message: 'Could not load your credits. Check your connection.',
      },
    });
  }
  return null;
}

/**
 * Reloads the balance for every component on the page and resolves with it (`null` on failure, with
 * `error` set). A call made while a load is running waits for that load and one more, so a change
 * made mid-flight is never hidden behind an older answer.
 */
export function refreshCredits(): Promise<CreditsBalance | null> {
  if (inflight) {
    changedWhileLoading = true;
    return inflight;
  }
  inflight = (async () => {
    let balance: CreditsBalance | null;
    do {
      changedWhileLoading = false;
      balance = await loadOnce();
    } while (changedWhileLoading);
    return balance;
  })().finally(() => {
    inflight = null;
  });
  return inflight;
}

/** Tell every `useCredits()` on the page that the balance changed (after a paid request, say). */
export function notifyCreditsChanged(): Promise<CreditsBalance | null> {
  return refreshCredits();
}

function onVisibilityChange() {
  if (document.visibilityState === 'visible') void refreshCredits();
}

function subscribe(listener: () => void) {
  // The first subscriber loads; so does the first after the page had none (it may have changed since).
  if (listeners.size === 0) {
    document.addEventListener('visibilitychange', onVisibilityChange);
    void refreshCredits();
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) document.removeEventListener('visibilitychange', onVisibilityChange);
  };
}

const getSnapshot = () => state;
const getServerSnapshot = () => initialState;

export interface TopUpUrls {
  /** Where checkout returns after payment; default: this page with `?billing=success`. */
  successUrl?: string;
  /** Where checkout returns when the buyer gives up; default: this page with `?billing=cancel`. */
  cancelUrl?: string;
}

/** Checkout could not start (unknown package, amount out of range, signed out …); `code` says why. */
export class CreditsTopUpError extends Error {
  readonly code: string;
  readonly details?: Record<string, unknown>;
  constructor(error: ActionError) {
    super(error.message);
    this.name = 'CreditsTopUpError';
    this.code = error.code;
    this.details = error.details;
  }
}

/** `href` (default: the current page) with `billing=<status>`, replacing any earlier one. */
export function billingReturnUrl(status: 'success' | 'cancel', href = window.location.href): string {
  const url = new URL(href);
  url.searchParams.set('billing', status);
  url.hash = '';
  return url.toString();
}

// The purchased balance as this tab leaves for checkout, so the return page can tell when the
// purchase has landed even if the webhook beat the redirect. Kept for an hour at most.
const CHECKOUT_BASELINE_KEY = 'credits:purchased-before-checkout';
const CHECKOUT_BASELINE_MAX_AGE_MS = 60 * 60 * 1000;

function rememberPurchasedBeforeCheckout() {
  if (!state.balance) return;
  try {
    sessionStorage.setItem(
      CHECKOUT_BASELINE_KEY,
      JSON.stringify({
        purchased: state.balance.creditsPurchased,
        at: Date.now(),
      }),
    );
  } catch {
    // Storage can be off (private browsing); the return page then compares with the first balance it reads.
  }
}

/** The purchased balance this tab had when it last left for checkout (within the hour), or `null`. */
export function purchasedBeforeCheckout(): number | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(CHECKOUT_BASELINE_KEY) ?? 'null') as { purchased?: unknown; at?: unknown } | null;
    const fresh = typeof saved?.at === 'number' && Date.now() - saved.at < CHECKOUT_BASELINE_MAX_AGE_MS;
    return fresh && Number.isSafeInteger(saved?.purchased) ? (saved!.purchased as number) : null;
  } catch {
    return null;
  }
}

export function forgetPurchasedBeforeCheckout(): void {
  try {
    sessionStorage.removeItem(CHECKOUT_BASELINE_KEY);
  } catch {
    // Nothing was stored.
  }
}

/** How to pay: `currency`, one of `billing.credits.currencies` (default: the buyer's last choice, else the locale's). */
export interface TopUpOptions {
  currency?: string;
}

async function startCheckout(choice: { packageId: string } | { credits: number }, urls: TopUpUrls, options: TopUpOptions = {}): Promise<void> {
  const result = await startCreditsCheckout({
    ...choice,
    ...(options.currency && { currency: options.currency }),
    successUrl: urls.successUrl ?? billingReturnUrl('success'),
    cancelUrl: urls.cancelUrl ?? billingReturnUrl('cancel'),
  });
  if (!result.ok) throw new CreditsTopUpError(result.error);
  rememberPurchasedBeforeCheckout();
  window.location.assign(result.data.url);
}

/** Starts checkout for a configured package and leaves for it. Throws `CreditsTopUpError` if it cannot start. */
export function topUp(packageId: string, urls: TopUpUrls = {}, options: TopUpOptions = {}): Promise<void> {
  return startCheckout({ packageId }, urls, options);
}

/** Starts checkout for a number of credits (manual top-up) and leaves for it. Throws `CreditsTopUpError` if it cannot start. */
export function topUpCredits(credits: number, urls: TopUpUrls = {}, options: TopUpOptions = {}): Promise<void> {
  return startCheckout({ credits }, urls, options);
}

/**
 * The signed-in user's balances, shared across the page; `null` until the first load. `isLoading`
 * is true only until then: later refreshes keep showing the last balance.
 */
export function useCredits() {
  const { balance, error } = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
  return {
    creditsBalance: balance?.creditsBalance ?? null,
    creditsPurchased: balance?.creditsPurchased ?? null,
    creditsBonus: balance?.creditsBonus ?? null,
    /** Credits reserved by open holds (not spendable until they close). */
    creditsHeld: balance?.creditsHeld ?? null,
    creditsUsed: balance?.creditsUsed ?? null,
    isLoading: balance === null && error === null,
    error,
    refresh: refreshCredits,
    topUp,
    topUpCredits,
  };
}
