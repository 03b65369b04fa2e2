'use client';

import { useId, useRef, useState, useSyncExternalStore, type FormEvent } from 'react';
import { Loader2Icon } from 'lucide-react';

import { appConfig } from '@/config/app';
import type { CreditPackage } from '@/config/app-config.schema';
import { CreditsTopUpError, useCredits, type TopUpUrls } from '@/features/common/payments/hooks/use-credits';
import { checkManualTopUp, manualTopUpLimits, type ManualTopUpConfig } from '@/features/common/payments/manual-top-up';
import { currencyForLocales, manualTopUpIn, packagePrice } from '@/features/common/payments/pricing';
import { ErrorAlert } from '@/shared/components/ui/action-message';
import { Alert, AlertDescription } from '@/shared/components/ui/alert';
import { Badge } from '@/shared/components/ui/badge';
import { Button } from '@/shared/components/ui/button';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';
import { formatCount } from '@/shared/lib/format-count';
import { formatMoney } from '@/shared/lib/money';

/** How much cheaper per credit a package is than buying its credits one by one (in `currency`), in whole percent. */
function savingsPercent(pkg: CreditPackage, currency: string): number {
  const price = packagePrice(pkg, currency);
  const manual = manualTopUpIn(appConfig.billing.credits, price.currency);
  if (!manual) return 0;
  const listPrice = pkg.creditsAmount * manual.pricePerCreditMinor;
  if (!Number.isSafeInteger(listPrice) || price.amountMinor >= listPrice) return 0;
  return Math.floor(((listPrice - price.amountMinor) * 100) / listPrice);
}

const CURRENCY_KEY = 'credits:currency';
const currencyListeners = new Set<() => void>();
let chosenCurrency: string | null = null;

function savedCurrency(): string | null {
  if (chosenCurrency) return chosenCurrency;
  try {
    return localStorage.getItem(CURRENCY_KEY);
  } catch {
    return null; // Storage can be off; the locale's default stands.
  }
}

/**
 * The currency the modal prices in: the buyer's choice (remembered in this browser; the server
 * remembers it too at checkout), else one that suits the browser's languages, else the main one.
 */
function useBuyerCurrency(): [string, (currency: string) => void] {
  const { currencies, currency: main } = appConfig.billing.credits;
  const currency = useSyncExternalStore(
    (listener) => {
      currencyListeners.add(listener);
      return () => currencyListeners.delete(listener);
    },
    () => {
      if (currencies.length < 2) return main;
      const saved = savedCurrency();
      return saved && currencies.includes(saved) ? saved : currencyForLocales(navigator.languages ?? [navigator.language], currencies, main);
    },
    () => main,
  );
  function choose(next: string) {
    if (!currencies.includes(next)) return;
    chosenCurrency = next;
    try {
      localStorage.setItem(CURRENCY_KEY, next);
    } catch {
      // Not remembered in this browser; the server remembers the choice at checkout.
    }
    for (const listener of currencyListeners) listener();
  }
  return [currency, choose];
}

/** What to tell the buyer when checkout cannot start; the server's messages are written for logs. */
function topUpErrorMessage(error: unknown): string {
  if (!(error instanceof CreditsTopUpError)) return 'Could not reach the server. Check your connection and try again.';
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Sign in again to buy credits.';
    case 'TOP_UP_OUT_OF_RANGE': {
      const { min, max } = error.details ?? {};
      return typeof min === 'number' && typeof max === 'number'
        ? `Choose between ${formatCount(min)} and ${formatCount(max)} credits.`
        : 'That amount of credits cannot be bought.';
    }
    case 'ORGANIZATION_ROLE_REQUIRED':
      return 'Only the organization’s owners and admins can buy credits for it.';
    case 'NOT_ORGANIZATION_MEMBER':
      return 'You are no longer a member of this organization. Switch wallets in the header.';
    case 'INVALID_RETURN_URL':
      // Only a misconfigured deployment gets here; the message names the variable to set.
      return `Checkout is not set up for this address. ${error.message}`;
    case 'RATE_LIMITED': {
      const seconds = Number(error.details?.retryAfterSeconds);
      return `Too many checkouts started. Try again in ${Number.isFinite(seconds) && seconds > 60 ? `${Math.ceil(seconds / 60)} minutes` : 'a minute'}.`;
    }
    case 'UNKNOWN_PACKAGE':
    case 'MANUAL_TOP_UP_DISABLED':
    case 'CREDITS_DISABLED':
      return 'This option is no longer available. Reload the page to see the current ones.';
    default:
      return 'Checkout could not start. Try again in a moment.';
  }
}

export interface CreditsTopUpOptionsProps extends TopUpUrls {
  /** The "enter an amount" form, when `enterManually` is on in config. */
  showManualAmount?: boolean;
}

/**
 * The ways to buy credits: each configured package, and a number of credits of the buyer's choice
 * when manual top-ups are on. Every choice starts checkout through `useCredits().topUp…` and leaves
 * the page; an error (checkout could not start) is shown here.
 */
export function CreditsTopUpOptions({ showManualAmount = true, successUrl, cancelUrl, organizationId }: CreditsTopUpOptionsProps) {
  const { topUp, topUpCredits } = useCredits({ organizationId });
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [currency, setCurrency] = useBuyerCurrency();
  const credits = appConfig.billing.credits;
  const urls = { successUrl, cancelUrl };
  const payIn = credits.currencies.length > 1 ? { currency } : {};
  const currencyId = useId();

  async function start(choice: string, begin: () => Promise<void>) {
    setPending(choice);
    setError(null);
    try {
      await begin();
      // Success leaves the page; keep the buttons busy until it does.
    } catch (cause) {
      setError(topUpErrorMessage(cause));
      setPending(null);
    }
  }

  if (!credits.enabled) {
    return (
      <Alert role="status">
        <AlertDescription>Credits are not available right now.</AlertDescription>
      </Alert>
    );
  }

  return (
    <div className="flex flex-col gap-4">
      <ErrorAlert message={error} />
      {credits.currencies.length > 1 ? (
        <div className="flex items-center justify-end gap-2 text-sm">
          <Label htmlFor={currencyId}>Currency</Label>
          <select
            id={currencyId}
            value={currency}
            onChange={(event) => setCurrency(event.target.value)}
            disabled={pending !== null}
            className="h-9 rounded-md border border-input bg-background px-2 text-sm"
          >
            {credits.currencies.map((code) => (
              <option key={code} value={code}>
                {code.toUpperCase()}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <ul className="grid gap-3" aria-label="Credit packages">
        {credits.packages.map((pkg) => {
          const savings = savingsPercent(pkg, currency);
          const price = packagePrice(pkg, currency);
          const busy = pending === pkg.id;
          return (
            <li
              key={pkg.id}
              className="flex flex-col gap-4 rounded-lg border border-border bg-background p-4 transition-colors hover:border-primary/50 sm:flex-row sm:items-center"
            >
              <div className="flex min-w-0 flex-1 flex-col gap-1">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="font-medium">{pkg.name}</span>
                  {savings > 0 ? <Badge variant="success">Save {savings}%</Badge> : null}
                </div>
                <span className="text-sm font-medium tabular-nums text-primary">{formatCount(pkg.creditsAmount)} credits</span>
                {pkg.description ? <span className="text-xs text-muted-foreground">{pkg.description}</span> : null}
                {pkg.expiresAfterDays ? (
                  <span className="text-xs text-muted-foreground">
                    Credits expire {formatCount(pkg.expiresAfterDays)} {pkg.expiresAfterDays === 1 ? 'day' : 'days'} after purchase
                  </span>
                ) : null}
              </div>
              <div className="flex items-center justify-between gap-4 sm:justify-end">
                <span className="text-lg font-semibold tabular-nums">{formatMoney(price.amountMinor, price.currency)}</span>
                <Button
                  aria-label={`Buy ${pkg.name}`}
                  disabled={pending !== null}
                  onClick={() => start(pkg.id, () => topUp(pkg.id, urls, payIn))}
                  className="min-w-24"
                >
                  {busy ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
                  {busy ? 'Redirecting…' : 'Buy'}
                </Button>
              </div>
            </li>
          );
        })}
      </ul>
      {showManualAmount && credits.enterManually ? (
        <ManualAmountForm
          config={manualTopUpIn(credits, currency) ?? manualTopUpIn(credits, credits.currency)!}
          disabled={pending !== null}
          busy={pending === 'manual'}
          onBuy={(n) => start('manual', () => topUpCredits(n, urls, payIn))}
        />
      ) : null}
      <CheckoutNotes />
    </div>
  );
}

/** What the buyer will meet at checkout, when the options are on. */
function CheckoutNotes() {
  const { allowPromotionCodes, automaticTax, invoiceCreation } = appConfig.billing.credits;
  const notes = [
    allowPromotionCodes ? 'Have a promotion code? Enter it at checkout.' : null,
    automaticTax ? 'Tax is added at checkout where it applies.' : null,
    invoiceCreation ? 'You get an invoice for every purchase.' : null,
  ].filter(Boolean);
  if (notes.length === 0) return null;
  return <p className="text-xs text-muted-foreground">{notes.join(' ')}</p>;
}

function ManualAmountForm({
  config,
  disabled,
  busy,
  onBuy,
}: {
  config: ManualTopUpConfig;
  disabled: boolean;
  busy: boolean;
  onBuy: (credits: number) => void;
}) {
  const { minCredits, maxCredits } = manualTopUpLimits(config);
  const [value, setValue] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const id = useId();

  // The input's own parsing would accept "1e3" or "12.5"; only plain digits are a count of credits.
  const check = value === '' ? null : checkManualTopUp(/^\d+$/.test(value) ? Number(value) : Number.NaN, config);
  const message = submitted ? (check === null ? 'Enter a number of credits.' : check.ok ? null : check.message) : null;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    if (!check?.ok) {
      inputRef.current?.focus();
      return;
    }
    onBuy(check.credits);
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-2 rounded-lg border border-dashed border-border p-4">
      <Label htmlFor={`${id}-credits`}>Or enter a number of credits</Label>
      <div className="flex flex-col gap-2 sm:flex-row">
        <div className="relative flex-1">
          <Input
            ref={inputRef}
            id={`${id}-credits`}
            type="number"
            inputMode="numeric"
            min={minCredits}
            max={maxCredits}
            step={1}
            placeholder={String(Math.min(maxCredits, Math.max(minCredits, 1000)))}
            value={value}
            onChange={(event) => setValue(event.target.value)}
            aria-invalid={message ? true : undefined}
            aria-describedby={`${id}-limits${message ? ` ${id}-error` : ''}`}
            className="[appearance:textfield] pr-24 tabular-nums [&::-webkit-inner-spin-button]:appearance-none [&::-webkit-outer-spin-button]:appearance-none"
          />
          <output
            htmlFor={`${id}-credits`}
            aria-live="polite"
            className="pointer-events-none absolute inset-y-0 right-3 flex items-center text-sm font-medium tabular-nums text-muted-foreground"
          >
            {check?.ok ? formatMoney(check.amountMinor, config.currency) : '—'}
          </output>
        </div>
        <Button type="submit" variant="secondary" disabled={disabled}>
          {busy ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
          {busy ? 'Redirecting…' : check?.ok ? `Buy ${formatCount(check.credits)} credits` : 'Buy credits'}
        </Button>
      </div>
      <p id={`${id}-limits`} className="text-xs text-muted-foreground">
        {formatCount(minCredits)} to {formatCount(maxCredits)} credits, at {formatMoney(config.pricePerCreditMinor, config.currency)} per credit.
      </p>
      {message ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-destructive">
          {message}
        </p>
      ) : null}
    </form>
  );
}
