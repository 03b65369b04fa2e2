'use client';

import { useId, useState, type FormEvent } from 'react';
import { AlertCircleIcon, Loader2Icon, SparklesIcon } from 'lucide-react';

import { CreditsTopUpModal } from '@/features/common/payments/components/credits-top-up-modal';
import { notifyCreditsChanged } from '@/features/common/payments/hooks/use-credits';
import { useCreditsTopUpModal } from '@/features/common/payments/hooks/use-credits-top-up-modal';
import { memberCapMessage } from '@/features/common/payments/member-cap-message';
import { Alert, AlertDescription, AlertTitle } from '@/shared/components/ui/alert';
import { Button } from '@/shared/components/ui/button';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';
import { formatCount } from '@/shared/lib/format-count';

type Outcome = { kind: 'output'; text: string } | { kind: 'insufficient'; required: number; available: number } | { kind: 'error'; message: string };

/**
 * Calls the example paid route (`POST /api/examples/generate`, 10 credits) the way a product would:
 * shows the output and tells `useCredits()` the balance changed; a 402 becomes an offer to top up.
 */
export function RunGenerationDemo({ cost }: { cost: number }) {
  const id = useId();
  const modal = useCreditsTopUpModal();
  const [prompt, setPrompt] = useState('A lighthouse at dusk, watercolour');
  const [pending, setPending] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function run(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    try {
      const response = await fetch('/api/examples/generate', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({ prompt }),
      });
      const body = await response.json().catch(() => null);
      if (response.ok) {
        setOutcome({ kind: 'output', text: String(body?.output ?? '') });
        void notifyCreditsChanged();
      } else if (body?.error?.code === 'MEMBER_CAP_EXCEEDED') {
        setOutcome({ kind: 'error', message: memberCapMessage(body.error) });
      } else if (response.status === 402) {
        setOutcome({ kind: 'insufficient', required: Number(body?.error?.required ?? cost), available: Number(body?.error?.available ?? 0) });
      } else {
        setOutcome({ kind: 'error', message: String(body?.error?.message ?? 'Something went wrong. Try again.') });
      }
    } catch {
      setOutcome({ kind: 'error', message: 'Could not reach the server. Check your connection and try again.' });
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="flex flex-col gap-4">
      <form onSubmit={run} className="flex flex-col gap-2">
        <Label htmlFor={`${id}-prompt`}>Prompt</Label>
        <div className="flex flex-col gap-2 sm:flex-row">
          <Input id={`${id}-prompt`} value={prompt} onChange={(event) => setPrompt(event.target.value)} maxLength={500} required />
          <Button type="submit" disabled={pending} className="sm:w-auto">
            {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : <SparklesIcon aria-hidden />}
            Run generation — {cost} credits
          </Button>
        </div>
      </form>
      {/* Announces the output or the refusal; the alerts inside carry no role of their own. */}
      <div aria-live="polite">
        {outcome?.kind === 'output' ? (
          <div className="rounded-lg border border-border bg-muted/50 p-4 text-sm" data-testid="generation-output">
            {outcome.text}
          </div>
        ) : null}
        {outcome?.kind === 'insufficient' ? (
          <Alert variant="destructive">
            <AlertCircleIcon aria-hidden />
            <AlertTitle>Not enough credits — top up</AlertTitle>
            <AlertDescription className="flex flex-col items-start gap-3">
              <p>
                This run needs {formatCount(outcome.required)} credits and you have {formatCount(outcome.available)}. Top up to keep going.
              </p>
              <Button size="sm" onClick={modal.openTopUpModal}>
                Top up now
              </Button>
            </AlertDescription>
          </Alert>
        ) : null}
        {outcome?.kind === 'error' ? (
          <Alert variant="destructive" data-testid="generation-error">
            <AlertCircleIcon aria-hidden />
            {/* Body text in the foreground colour: the kit's red on its red tint is below 4.5:1 for a paragraph this long. */}
            <AlertDescription className="text-foreground opacity-100">{outcome.message}</AlertDescription>
          </Alert>
        ) : null}
      </div>
      <CreditsTopUpModal open={modal.isOpen} onOpenChange={modal.setIsOpen} />
    </div>
  );
}
