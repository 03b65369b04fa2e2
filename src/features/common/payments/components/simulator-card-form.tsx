'use client';

import { useId, useState, type FormEvent } from 'react';
import type { Route } from 'next';
import { useRouter } from 'next/navigation';
import { CreditCardIcon, Loader2Icon } from 'lucide-react';

import { removeTestCard, saveTestCard } from '@/features/common/payments/actions/auto-top-up.action';
import { ActionMessage } from '@/shared/components/ui/action-message';
import { Button } from '@/shared/components/ui/button';
import type { ActionError } from '@/shared/lib/action-result';

export interface SimulatorTestCard {
  key: string;
  /** "Visa •••• 4242". */
  name: string;
  /** "expires 12/2034". */
  expiry: string | null;
  /** What the bank does with it: "Payments succeed". */
  label: string;
}

export interface SimulatorCardFormProps {
  cards: SimulatorTestCard[];
  /** The wallet's saved card (`key`: the test card it is, if one). */
  saved: { name: string; expiry: string | null; key: string | null } | null;
  organizationId: string | null;
}

const CREDITS = '/dashboard/billings/credits';

function errorMessage(error: ActionError | null): string {
  switch (error?.code) {
    case 'UNAUTHENTICATED':
      return 'Your session has ended. Sign in again.';
    case 'ORGANIZATION_ROLE_REQUIRED':
      return 'Only the organization’s owners and admins can change its card.';
    case 'NOT_ORGANIZATION_MEMBER':
    case 'ORGANIZATION_NOT_FOUND':
      return 'You are not a member of this organization.';
    case undefined:
      return 'Could not reach the server. Try again.';
    default:
      return 'The card could not be changed. Try again.';
  }
}

/** The simulator's card page: pick a test card and save it, or remove the saved one. */
export function SimulatorCardForm({ cards, saved: initial, organizationId }: SimulatorCardFormProps) {
  const id = useId();
  const router = useRouter();
  const [saved, setSaved] = useState(initial);
  const [choice, setChoice] = useState(initial?.key ?? cards[0]?.key ?? '');
  const [busy, setBusy] = useState<'save' | 'remove' | null>(null);
  const [message, setMessage] = useState<{ kind: 'error' | 'status'; text: string } | null>(null);
  const wallet = organizationId ? { organizationId } : {};

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy('save');
    setMessage(null);
    const result = await saveTestCard({ ...wallet, card: choice }).catch(() => null);
    if (!result?.ok) {
      setBusy(null);
      setMessage({ kind: 'error', text: errorMessage(result?.error ?? null) });
      return;
    }
    // Back to the credits page's auto top-up section, as Stripe's setup page returns there.
    router.push(`${CREDITS}?card=saved#auto-top-up` as Route);
  }

  async function remove() {
    setBusy('remove');
    setMessage(null);
    const result = await removeTestCard(wallet).catch(() => null);
    setBusy(null);
    if (!result?.ok) {
      setMessage({ kind: 'error', text: errorMessage(result?.error ?? null) });
      return;
    }
    setSaved(null);
    setMessage({ kind: 'status', text: 'Card removed. Auto top-up stops until a card is saved.' });
  }

  return (
    <form onSubmit={save} className="flex flex-col gap-6">
      <div className="flex items-start gap-3 rounded-lg border border-border px-4 py-3 text-sm">
        <CreditCardIcon className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden />
        <p data-testid="simulator-saved-card">
          {saved ? (
            <>
              Saved card: <span className="font-medium">{saved.name}</span>
              {saved.expiry ? `, ${saved.expiry}` : ''}
            </>
          ) : (
            'No card saved yet.'
          )}
        </p>
      </div>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-2 text-sm font-medium">Test card</legend>
        {cards.map((card) => (
          <label
            key={card.key}
            htmlFor={`${id}-${card.key}`}
            className="flex cursor-pointer items-start gap-3 rounded-lg border border-border p-3 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/5"
          >
            <input
              id={`${id}-${card.key}`}
              type="radio"
              name="card"
              value={card.key}
              checked={choice === card.key}
              onChange={() => setChoice(card.key)}
              className="mt-0.5 size-4 shrink-0 accent-primary"
            />
            <span className="flex flex-col gap-0.5">
              <span className="font-medium">
                {card.name} — {card.label}
              </span>
              {card.expiry ? <span className="text-xs text-muted-foreground">{card.expiry[0]!.toUpperCase() + card.expiry.slice(1)}</span> : null}
            </span>
          </label>
        ))}
      </fieldset>
      <ActionMessage message={message} />
      <div className="flex flex-col gap-2 sm:flex-row-reverse">
        <Button type="submit" size="lg" className="flex-1" disabled={busy !== null || !choice}>
          {busy === 'save' ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
          Save card
        </Button>
        {saved ? (
          <Button type="button" variant="outline" size="lg" className="flex-1" disabled={busy !== null} onClick={() => void remove()}>
            {busy === 'remove' ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            Remove card
          </Button>
        ) : null}
      </div>
      <a className="text-center text-sm font-medium text-primary underline underline-offset-4" href={`${CREDITS}#auto-top-up`}>
        Back to credits
      </a>
    </form>
  );
}
