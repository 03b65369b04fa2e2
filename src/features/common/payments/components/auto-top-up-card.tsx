'use client';

import { useEffect, useId, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { CreditCardIcon, Loader2Icon } from 'lucide-react';

import { appConfig } from '@/config/app';
import { managePaymentMethods, saveAutoTopUp, startSavingCard, turnOffAutoTopUp } from '@/features/common/payments/actions/auto-top-up.action';
import { autoTopUpIsOn, autoTopUpStatusText, lastFailureText } from '@/features/common/payments/auto-top-up-text';
import { useCredits } from '@/features/common/payments/hooks/use-credits';
import { cardName, describeCard } from '@/features/common/payments/saved-card';
import type { AutoTopUpChoice, AutoTopUpSettings } from '@/features/common/payments/service/auto-top-up/auto-top-up.service';
import { ActionMessage, ErrorAlert } from '@/shared/components/ui/action-message';
import { Alert, AlertDescription } from '@/shared/components/ui/alert';
import { Button } from '@/shared/components/ui/button';
import { Input } from '@/shared/components/ui/input';
import type { ActionError } from '@/shared/lib/action-result';
import { formatCount } from '@/shared/lib/format-count';
import { formatMoney } from '@/shared/lib/money';

export interface AutoTopUpCardProps {
  /** The wallet's auto top-up, from `getAutoTopUp`. */
  settings: AutoTopUpSettings;
  /** The organisation whose wallet this is, or null for the user's own. */
  organizationId: string | null;
  /** Available credits when the page was read: turning auto top-up on below the threshold charges at once. */
  availableCredits: number;
  /** Back from saving a card (`?card=saved`). */
  cardJustSaved?: boolean;
}

type Message = { kind: 'error' | 'status'; text: string };
type Busy = 'save' | 'off' | 'card' | null;

/** What to tell the user when an auto top-up action fails; the server's messages are written for logs. */
function errorText(error: ActionError | null): string {
  switch (error?.code) {
    case undefined:
      return 'Could not reach the server. Check your connection and try again.';
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Sign in again to change auto top-up.';
    case 'NO_SAVED_CARD':
      return 'Save a card first: auto top-up charges a saved card.';
    case 'INVALID_INPUT':
      return `Check the numbers: the balance limit must be a whole number of credits, at least 1, and the monthly limit a whole number from 1 to ${appConfig.billing.credits.autoTopUp.maxPerMonth}.`;
    case 'RATE_LIMITED': {
      const seconds = Number(error.details?.retryAfterSeconds);
      return `Too many attempts. Try again in ${Number.isFinite(seconds) && seconds > 60 ? `${Math.ceil(seconds / 60)} minutes` : 'a minute'}.`;
    }
    case 'CHECKOUT_UNAVAILABLE':
    case 'STRIPE_UNAVAILABLE':
      return 'The payment provider is not answering. Try again in a moment.';
    case 'AUTO_TOP_UP_DISABLED':
      return 'Auto top-up is not available right now.';
    case 'UNKNOWN_PACKAGE':
    case 'UNSUPPORTED_CURRENCY':
      return 'This pack is no longer offered. Reload the page to see the current ones.';
    case 'ORGANIZATION_ROLE_REQUIRED':
      return 'Only the organization’s owners and admins can change its auto top-up.';
    case 'NOT_ORGANIZATION_MEMBER':
    case 'ORGANIZATION_NOT_FOUND':
      return 'You are no longer a member of this organization. Switch wallets in the header.';
    default:
      return 'Something went wrong. Try again in a moment.';
  }
}

/** A whole number from the input, or null: only plain digits count ("1e3" and "12.5" do not). */
function wholeNumber(value: string, min: number, max: number): number | null {
  const text = value.trim();
  if (!/^\d{1,15}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

/**
 * Auto top-up on the credits page: the saved card, and "When my balance falls below [N] credits, buy
 * [pack] for [$X] automatically, at most [M] times a month." The amount each top-up charges, and the
 * most a month can cost, show before it is turned on; the server charges exactly that amount or
 * nothing (`expectedAmountMinor`).
 */
export function AutoTopUpCard({ settings: initial, organizationId, availableCredits, cardJustSaved = false }: AutoTopUpCardProps) {
  const id = useId();
  const router = useRouter();
  const { refresh } = useCredits({ organizationId });
  const limit = initial.maxPerMonthLimit;
  const [settings, setSettings] = useState(initial);
  const [received, setReceived] = useState(initial);
  const [threshold, setThreshold] = useState(String(initial.thresholdCredits ?? 100));
  const [packageId, setPackageId] = useState(initial.packageId ?? initial.choices[0]?.packageId ?? '');
  const [maxPerMonth, setMaxPerMonth] = useState(String(initial.maxPerMonth ?? Math.min(3, limit)));
  // New prices the server reported (the price changed while the page was open), to agree to.
  const [repriced, setRepriced] = useState<Record<string, Pick<AutoTopUpChoice, 'amountMinor' | 'currency'>>>({});
  const [invalid, setInvalid] = useState<{ threshold: boolean; maxPerMonth: boolean }>({ threshold: false, maxPerMonth: false });
  const [message, setMessage] = useState<Message | null>(null);
  const [busy, setBusy] = useState<Busy>(null);

  // The page was refreshed on the server (after a charge, say): show what it read.
  if (initial !== received) {
    setReceived(initial);
    setSettings(initial);
  }

  useEffect(() => {
    if (!cardJustSaved) return;
    // Drop `?card=saved`, so reloading does not announce it again; the hash stays.
    const url = new URL(window.location.href);
    url.searchParams.delete('card');
    window.history.replaceState(window.history.state, '', url);
  }, [cardJustSaved]);

  const on = autoTopUpIsOn(settings);
  const wallet = organizationId ? { organizationId } : {};
  const choices = settings.choices.map((choice) => {
    const price = repriced[choice.packageId];
    return price ? { ...choice, ...price, amountText: formatMoney(price.amountMinor, price.currency) } : choice;
  });
  const chosen = choices.find((choice) => choice.packageId === packageId) ?? choices[0];
  const thresholdCredits = wholeNumber(threshold, 1, Number.MAX_SAFE_INTEGER);
  const timesAMonth = wholeNumber(maxPerMonth, 1, limit);
  const card = settings.card;
  const whose = organizationId ? 'the organization’s balance' : 'my balance';
  const submitLabel = on ? 'Save changes' : 'Turn on auto top-up';
  const failure = lastFailureText(settings);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problems = { threshold: thresholdCredits === null, maxPerMonth: timesAMonth === null };
    setInvalid(problems);
    if (problems.threshold || problems.maxPerMonth || !chosen) {
      setMessage({
        kind: 'error',
        text: problems.threshold
          ? 'Enter the balance limit as a whole number of credits, 1 or more.'
          : `Enter how many times a month, a whole number from 1 to ${limit}.`,
      });
      return;
    }
    setBusy('save');
    setMessage(null);
    const result = await saveAutoTopUp({
      ...wallet,
      thresholdCredits: thresholdCredits!,
      packageId: chosen.packageId,
      maxPerMonth: timesAMonth!,
      expectedAmountMinor: chosen.amountMinor,
      currency: chosen.currency,
    }).catch(() => null);
    setBusy(null);
    if (!result?.ok) {
      const error = result?.error ?? null;
      const amountMinor = Number(error?.details?.amountMinor);
      const currency = error?.details?.currency;
      if (error?.code === 'AUTO_TOP_UP_PRICE_CHANGED' && Number.isSafeInteger(amountMinor) && typeof currency === 'string') {
        setRepriced((current) => ({ ...current, [chosen.packageId]: { amountMinor, currency } }));
        setMessage({
          kind: 'error',
          text: `The price of ${chosen.name} is now ${formatMoney(amountMinor, currency)}, not ${chosen.amountText}. Nothing was changed. Check the amount below and press “${submitLabel}” again to agree to it.`,
        });
        return;
      }
      setMessage({ kind: 'error', text: errorText(error) });
      return;
    }
    const wasOn = on;
    setSettings(result.data);
    const chargesNow = !wasOn && availableCredits < thresholdCredits!;
    setMessage({
      kind: 'status',
      text: wasOn
        ? 'Changes saved.'
        : `Auto top-up is on.${chargesNow ? ` The balance is already below ${formatCount(thresholdCredits!)} credits, so the first top-up is being charged now.` : ''}`,
    });
    if (chargesNow) {
      // The charge runs on the server just after this; show its credits when they are in.
      setTimeout(() => {
        void refresh();
        router.refresh();
      }, 2500);
    }
  }

  async function turnOff() {
    setBusy('off');
    setMessage(null);
    const result = await turnOffAutoTopUp(wallet).catch(() => null);
    setBusy(null);
    if (!result?.ok) {
      setMessage({ kind: 'error', text: errorText(result?.error ?? null) });
      return;
    }
    setSettings(result.data);
    setMessage({ kind: 'status', text: 'Auto top-up is off. The card stays saved for next time.' });
  }

  async function goToCards(start: typeof startSavingCard) {
    setBusy('card');
    setMessage(null);
    const result = await start(wallet).catch(() => null);
    if (!result?.ok) {
      setBusy(null);
      setMessage({ kind: 'error', text: errorText(result?.error ?? null) });
      return;
    }
    // Stripe's page (or the simulator's) sends the browser back here; keep the buttons busy until we leave.
    window.location.assign(result.data.url);
  }

  return (
    <div className="flex flex-col gap-5">
      <p
        data-testid="auto-top-up-status"
        className={on ? 'text-sm' : settings.paused ? 'text-sm font-medium text-destructive' : 'text-sm text-muted-foreground'}
      >
        {autoTopUpStatusText(settings, appConfig.billing.credits.autoTopUp.failuresBeforePause)}
      </p>
      {failure ? (
        <p data-testid="auto-top-up-last-failure" className="text-sm text-destructive">
          {failure}
        </p>
      ) : null}

      {cardJustSaved ? (
        <Alert variant="success" role="status">
          <CreditCardIcon aria-hidden />
          <AlertDescription>
            {card ? 'Card saved.' : 'Card saved. It shows here as soon as the payment provider confirms it: reload the page in a moment.'}
          </AlertDescription>
        </Alert>
      ) : null}

      <div className="flex flex-col gap-3 rounded-lg border border-border p-4 sm:flex-row sm:items-center sm:justify-between">
        <div className="flex min-w-0 items-start gap-3 text-sm">
          <CreditCardIcon className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden />
          {card ? (
            <p data-testid="auto-top-up-card">
              <span className="font-medium">{describeCard(card)}</span>
            </p>
          ) : (
            <p data-testid="auto-top-up-card" className="text-muted-foreground">
              No card saved. Auto top-up charges a saved card, so save one first.
            </p>
          )}
        </div>
        <Button
          type="button"
          variant={card ? 'outline' : 'secondary'}
          className="shrink-0"
          disabled={busy !== null}
          onClick={() => void goToCards(card ? managePaymentMethods : startSavingCard)}
        >
          {busy === 'card' ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
          {card ? 'Manage payment methods' : 'Save a card'}
        </Button>
      </div>

      {chosen ? (
        <form onSubmit={save} noValidate className="flex flex-col gap-4">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-3 text-sm leading-relaxed">
            <label htmlFor={`${id}-threshold`}>
              When {whose} falls below<span className="sr-only"> this many credits</span>
            </label>
            <Input
              id={`${id}-threshold`}
              inputMode="numeric"
              className="w-24 tabular-nums"
              value={threshold}
              onChange={(event) => setThreshold(event.target.value)}
              aria-invalid={invalid.threshold ? true : undefined}
              aria-describedby={`${id}-amount`}
            />
            <span aria-hidden>credits,</span>
            <label htmlFor={`${id}-package`}>
              buy<span className="sr-only"> this pack</span>
            </label>
            <select
              id={`${id}-package`}
              value={chosen.packageId}
              onChange={(event) => setPackageId(event.target.value)}
              aria-describedby={`${id}-amount`}
              className="h-9 max-w-full min-w-0 rounded-md border border-input bg-background px-2 text-sm"
            >
              {choices.map((choice) => (
                <option key={choice.packageId} value={choice.packageId}>
                  {choice.name}: {formatCount(choice.credits)} credits, {choice.amountText}
                </option>
              ))}
            </select>
            <span>
              for <span className="font-semibold tabular-nums">{chosen.amountText}</span> automatically,
            </span>
            <label htmlFor={`${id}-max`}>
              at most<span className="sr-only"> this many top-ups a month</span>
            </label>
            <Input
              id={`${id}-max`}
              inputMode="numeric"
              className="w-16 tabular-nums"
              value={maxPerMonth}
              onChange={(event) => setMaxPerMonth(event.target.value)}
              aria-invalid={invalid.maxPerMonth ? true : undefined}
              aria-describedby={`${id}-amount`}
            />
            <span aria-hidden>times a month.</span>
          </div>

          <p id={`${id}-amount`} data-testid="auto-top-up-amount" aria-live="polite" className="rounded-md bg-muted px-3 py-2 text-sm">
            Each top-up charges <span className="font-semibold tabular-nums">{chosen.amountText}</span>
            {card ? ` to ${cardName(card)}` : ''}
            {timesAMonth === null ? (
              '.'
            ) : (
              <>
                {' '}
                — at most <span className="font-semibold tabular-nums">{formatMoney(chosen.amountMinor * timesAMonth, chosen.currency)}</span> a month.
              </>
            )}
          </p>

          {message?.kind === 'error' ? <ErrorAlert message={message.text} /> : <ActionMessage message={message} />}

          <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
            <Button type="submit" disabled={busy !== null || !card}>
              {busy === 'save' ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              {submitLabel}
            </Button>
            {settings.enabled || settings.paused ? (
              <Button type="button" variant="ghost" disabled={busy !== null} onClick={() => void turnOff()}>
                {busy === 'off' ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
                Turn off auto top-up
              </Button>
            ) : null}
            {card ? null : <p className="text-xs text-muted-foreground">Save a card to turn auto top-up on.</p>}
          </div>
        </form>
      ) : (
        <p className="text-sm text-muted-foreground">No packs are on offer, so auto top-up cannot be set up.</p>
      )}
    </div>
  );
}
