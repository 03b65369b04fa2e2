'use client';

import { useId, useState, type FormEvent } from 'react';
import { Loader2Icon, MessageSquareTextIcon } from 'lucide-react';

import { notifyCreditsChanged } from '@/features/common/payments/hooks/use-credits';
import { memberCapMessage } from '@/features/common/payments/member-cap-message';
import { Button } from '@/shared/components/ui/button';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';
import { formatCount } from '@/shared/lib/format-count';

type Status = { kind: 'idle' } | { kind: 'streaming' } | { kind: 'done'; charged: number } | { kind: 'error'; message: string };

/**
 * Calls the streamed example route (`POST /api/examples/stream`): the answer appears word by word,
 * and the charge — one credit a word — is known only when it ends.
 */
export function StreamAnswerDemo({ maxCredits }: { maxCredits: number }) {
  const id = useId();
  const [prompt, setPrompt] = useState('tides');
  const [answer, setAnswer] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });

  async function ask(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAnswer('');
    setStatus({ kind: 'streaming' });
    try {
      const response = await fetch('/api/examples/stream', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt }),
      });
      if (!response.ok || !response.body) {
        const body = await response.json().catch(() => null);
        const message =
          body?.error?.code === 'MEMBER_CAP_EXCEEDED' ? memberCapMessage(body.error) : String(body?.error?.message ?? 'Something went wrong. Try again.');
        setStatus({ kind: 'error', message });
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const message = JSON.parse(buffer.slice(0, newline)) as { type: string; text?: string; creditsCharged?: number; message?: string };
          buffer = buffer.slice(newline + 1);
          if (message.type === 'token') setAnswer((text) => text + (message.text ?? ''));
          if (message.type === 'done') setStatus({ kind: 'done', charged: message.creditsCharged ?? 0 });
          if (message.type === 'error') setStatus({ kind: 'error', message: message.message ?? 'The answer failed; nothing was charged.' });
        }
      }
    } catch {
      setStatus({ kind: 'error', message: 'Could not reach the server. Check your connection and try again.' });
    } finally {
      void notifyCreditsChanged();
    }
  }

  return (
    <div className="flex flex-col gap-4">
      <form onSubmit={ask} className="flex flex-col gap-2">
        <Label htmlFor={`${id}-question`}>Question</Label>
        <div className="flex flex-col gap-2 sm:flex-row">
          <Input id={`${id}-question`} value={prompt} onChange={(event) => setPrompt(event.target.value)} maxLength={500} required />
          <Button type="submit" disabled={status.kind === 'streaming'} className="sm:w-auto">
            {status.kind === 'streaming' ? <Loader2Icon className="animate-spin" aria-hidden /> : <MessageSquareTextIcon aria-hidden />}
            Ask — up to {maxCredits} credits
          </Button>
        </div>
      </form>
      <div aria-live="polite" className="flex flex-col gap-2">
        {answer ? (
          <p className="rounded-lg border border-border bg-muted/50 p-4 text-sm" data-testid="stream-answer">
            {answer}
          </p>
        ) : null}
        {status.kind === 'done' ? (
          <p className="text-sm text-muted-foreground" data-testid="stream-charged">
            Charged {formatCount(status.charged)} credits for {formatCount(status.charged)} words; the rest of the {formatCount(maxCredits)} reserved went back.
          </p>
        ) : null}
        {status.kind === 'error' ? (
          <p className="text-sm text-destructive" role="alert">
            {status.message}
          </p>
        ) : null}
      </div>
    </div>
  );
}
