'use client';

import { useId, useState, type FormEvent } from 'react';
import { Loader2Icon } from 'lucide-react';

import { saveLowBalanceAlert } from '@/features/common/payments/actions/low-balance-alert.action';
import { ActionMessage } from '@/shared/components/ui/action-message';
import { Button } from '@/shared/components/ui/button';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';
import { formatCount } from '@/shared/lib/format-count';

export interface LowBalanceAlertFormProps {
  /** The wallet's threshold (0: off; null: never set, the form suggests `suggestedCredits`). */
  thresholdCredits: number | null;
  suggestedCredits: number;
}

/** "Email me when my balance falls below N credits": the low-balance alert on the credits page. */
export function LowBalanceAlertForm({ thresholdCredits, suggestedCredits }: LowBalanceAlertFormProps) {
  const id = useId();
  const [saved, setSaved] = useState(thresholdCredits ?? 0);
  const [value, setValue] = useState(String(thresholdCredits ?? (suggestedCredits || '')));
  const [message, setMessage] = useState<{ kind: 'error' | 'status'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(credits: number) {
    setBusy(true);
    setMessage(null);
    const result = await saveLowBalanceAlert({ thresholdCredits: credits }).catch(() => null);
    setBusy(false);
    if (!result?.ok) {
      setMessage({ kind: 'error', text: result ? 'Enter a whole number of credits, 0 or more.' : 'Could not reach the server. Try again.' });
      return;
    }
    setSaved(credits);
    setValue(credits ? String(credits) : '');
    setMessage({
      kind: 'status',
      text: credits ? `Saved. We will email you when your balance falls below ${formatCount(credits)} credits.` : 'Alert turned off.',
    });
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const credits = /^\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!Number.isSafeInteger(credits)) {
      setMessage({ kind: 'error', text: 'Enter a whole number of credits, 0 or more.' });
      return;
    }
    void save(credits);
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-2">
      <Label htmlFor={`${id}-threshold`}>Email me when my balance falls below</Label>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <div className="flex items-center gap-2">
          <Input
            id={`${id}-threshold`}
            inputMode="numeric"
            className="w-32 tabular-nums"
            value={value}
            onChange={(event) => setValue(event.target.value)}
            aria-describedby={`${id}-state`}
            aria-invalid={message?.kind === 'error' ? true : undefined}
          />
          <span className="text-sm text-muted-foreground">credits</span>
        </div>
        <div className="flex gap-2">
          <Button type="submit" variant="secondary" disabled={busy}>
            {busy ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            Save alert
          </Button>
          {saved > 0 ? (
            <Button type="button" variant="ghost" disabled={busy} onClick={() => void save(0)}>
              Turn off
            </Button>
          ) : null}
        </div>
      </div>
      <p id={`${id}-state`} className="text-xs text-muted-foreground">
        {saved > 0 ? `On: one email each time your balance falls below ${formatCount(saved)} credits.` : 'Off: no low-balance emails.'}
      </p>
      <ActionMessage message={message} />
    </form>
  );
}
