'use client';

import { useCallback, useSyncExternalStore } from 'react';

import { useActiveOrganizationId } from '@/features/common/payments/components/active-wallet-provider';
import { getMyCredits } from '@/features/common/payments/actions/get-my-credits.action';
import { startCreditsCheckout } from '@/features/common/payments/actions/start-checkout.action';
import type { CreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import type { ActionError } from '@/shared/lib/action-result';

/*
 * One balance per wallet per page, shared by every component that calls `useCredits()` for it: a
 * module-level store per wallet read through `useSyncExternalStore`. It loads when the first
 * component mounts, again when the tab comes back into view, and whenever someone calls `refresh()`
 * or `notifyCreditsChanged()`, so a deduction made anywhere in the app updates the header badge and
 * every card at once.
 */

interface CreditsState {
  balance: CreditsBalance | null;
  error: ActionError | null;
}

const initialState: CreditsState = { balance: null, error: null };

class WalletStore {
  state: CreditsState = initialState;
  readonly listeners = new Set<() => void>();
  inflight: Promise<CreditsBalance | null> | null = null;
  changedWhileLoading = false;

  constructor(readonly organizationId: string | null) {}

  setState(next: CreditsState) {
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  async loadOnce(): Promise<CreditsBalance | null> {
    try {
      const result = await getMyCredits(this.organizationId ? { organizationId: this.organizationId } : undefined);
      if (result.ok) {
        this.setState({ balance: result.data, error: null });
        return result.data;
      }
      this.setState({ ...this.state, error: result.error });
    } catch {
      this.setState({ ...this.state, error: { code: 'NETWORK_ERROR', message: 'Could not load your credits. Check your connection.' } });
    }
    return null;
  }

  /** A call made while a load is running waits for that load and one more, so a change made mid-flight is never hidden behind an older answer. */
  refresh(): Promise<CreditsBalance | null> {
    if (this.inflight) {
      this.changedWhileLoading = true;
      return this.inflight;
    }
    this.inflight = (async () => {
      let balance: CreditsBalance | null;
      do {
        this.changedWhileLoading = false;
        balance = await this.loadOnce();
      } while (this.changedWhileLoading);
      return balance;
    })().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  readonly subscribe = (listener: () => void) => {
    // The first subscriber loads; so does the first after the store had none (it may have changed since).
    if (this.listeners.size === 0) void this.refresh();
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = () => this.state;
}

const stores = new Map<string, WalletStore>();

function storeOf(organizationId: string | null): WalletStore {
  const key = organizationId ?? '';
  let store = stores.get(key);
  if (!store) {
    store = new WalletStore(organizationId);
    stores.set(key, store);
  }
  return store;
}

/**
 * Reloads the balance for every component on the page and resolves with it (`null` on failure, with
 * `error` set): the personal wallet's, or with `organizationId` that organisation's. Every other
 * wallet shown on the page is reloaded too.
 */
export function refreshCredits(organizationId: string | null = null): Promise<CreditsBalance | null> {
  for (const store of stores.values()) if (store.organizationId !== organizationId && store.listeners.size > 0) void store.refresh();
  return storeOf(organizationId).refresh();
}

/** Tell every `useCredits()` on the page that the balance changed (after a paid request, say). */
export function notifyCreditsChanged(organizationId: string | null = null): Promise<CreditsBalance | null> {
  return refreshCredits(organizationId);
}

function onVisibilityChange() {
  if (document.visibilityState !== 'visible') return;
  for (const store of stores.values()) if (store.listeners.size > 0) void store.refresh();
}

if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibilityChange);

const getServerSnapshot = () => initialState;

export interface TopUpUrls {
  /** Where checkout returns after payment; default: this page with `?billing=success`. */
  successUrl?: string;
  /** Where checkout returns when the buyer gives up; default: this page with `?billing=cancel`. */
  cancelUrl?: string;
  /** Buy for this organisation's wallet (its owners and admins only); default: the buyer's own. */
  organizationId?: string | null;
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

function rememberPurchasedBeforeCheckout(organizationId: string | null) {
  const { balance } = storeOf(organizationId).state;
  if (!balance) return;
  try {
    sessionStorage.setItem(CHECKOUT_BASELINE_KEY, JSON.stringify({ purchased: balance.creditsPurchased, at: Date.now() }));
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
  const organizationId = urls.organizationId ?? null;
  const result = await startCreditsCheckout({
    ...choice,
    successUrl: urls.successUrl ?? billingReturnUrl('success'),
    cancelUrl: urls.cancelUrl ?? billingReturnUrl('cancel'),
    ...(organizationId && { organizationId }),
    ...(options.currency && { currency: options.currency }),
  });
  if (!result.ok) throw new CreditsTopUpError(result.error);
  rememberPurchasedBeforeCheckout(organizationId);
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

export interface UseCreditsOptions {
  /**
   * Whose balance: an organisation's id (the signed-in user must be a member), or null for the
   * user's own. Left out, the active wallet chosen in the header (`ActiveWalletProvider`), which is
   * the personal wallet outside the dashboard.
   */
  organizationId?: string | null;
}

/**
 * The signed-in user's balances (or an organisation's: see `organizationId`), shared across the
 * page; `null` until the first load. `isLoading` is true only until then: later refreshes keep
 * showing the last balance. `topUp` and `topUpCredits` buy for the same wallet.
 */
export function useCredits(options: UseCreditsOptions = {}) {
  const active = useActiveOrganizationId();
  const organizationId = options.organizationId === undefined ? active : options.organizationId;
  const store = storeOf(organizationId);
  const { balance, error } = useSyncExternalStore(store.subscribe, store.getSnapshot, getServerSnapshot);
  const refresh = useCallback(() => refreshCredits(organizationId), [organizationId]);
  const topUpHere = useCallback(
    (packageId: string, urls: TopUpUrls = {}, options: TopUpOptions = {}) =>
      topUp(packageId, { ...urls, organizationId: urls.organizationId === undefined ? organizationId : urls.organizationId }, options),
    [organizationId],
  );
  const topUpCreditsHere = useCallback(
    (credits: number, urls: TopUpUrls = {}, options: TopUpOptions = {}) =>
      topUpCredits(credits, { ...urls, organizationId: urls.organizationId === undefined ? organizationId : urls.organizationId }, options),
    [organizationId],
  );
  return {
    creditsBalance: balance?.creditsBalance ?? null,
    creditsPurchased: balance?.creditsPurchased ?? null,
    creditsBonus: balance?.creditsBonus ?? null,
    /** Credits reserved by open holds (not spendable until they close). */
    creditsHeld: balance?.creditsHeld ?? null,
    creditsUsed: balance?.creditsUsed ?? null,
    /** The wallet shown: an organisation's id, or null for the personal wallet. */
    organizationId,
    isLoading: balance === null && error === null,
    error,
    refresh,
    topUp: topUpHere,
    topUpCredits: topUpCreditsHere,
  };
}
