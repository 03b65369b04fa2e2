'use client';

import { useId, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { CheckCircle2Icon, Loader2Icon, ScaleIcon } from 'lucide-react';

import { correctUserCredits } from '@/features/common/payments/actions/admin-credits.action';
import { notifyCreditsChanged } from '@/features/common/payments/hooks/use-credits';
import { MAX_REASON_LENGTH } from '@/features/common/payments/service/credits-input.schema';
import { ErrorAlert } from '@/shared/components/ui/action-message';
import { Alert, AlertDescription } from '@/shared/components/ui/alert';
import { Button } from '@/shared/components/ui/button';
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/shared/components/ui/dialog';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';
import { Textarea } from '@/shared/components/ui/textarea';
import { toast } from '@/shared/components/ui/toaster';
import { formatCount } from '@/shared/lib/format-count';

const ACTIONS = {
  'revoke-bonus': { label: 'Revoke bonus credits', bucket: 'bonus', sign: -1, verb: 'Revoke', preposition: 'from' },
  'remove-purchased': { label: 'Remove purchased credits', bucket: 'purchased', sign: -1, verb: 'Remove', preposition: 'from' },
  'add-purchased': { label: 'Add purchased credits', bucket: 'purchased', sign: 1, verb: 'Add', preposition: 'to' },
} as const;
type Action = keyof typeof ACTIONS;

interface Correction {
  action: Action;
  credits: number;
  reason: string;
  /** Made when the admin reviews the correction, so confirming twice applies it once. */
  idempotencyKey: string;
}

type Problems = Partial<Record<'credits' | 'reason', string>>;

export interface CorrectCreditsFormProps {
  userId: string;
  userEmail: string;
  /** What the buckets can give up now (spendable: held and expired credits cannot be taken). */
  bonus: number;
  purchased: number;
}

/**
 * The admin's corrections: revoke bonus credits, or correct purchased credits either way, with a
 * required reason, then a confirmation naming the user and the balance it leaves, then
 * `correctUserCredits` (which checks again on the server that the caller is an admin, and that the
 * bucket does not go below zero).
 */
export function CorrectCreditsForm({ userId, userEmail, bonus, purchased }: CorrectCreditsFormProps) {
  const router = useRouter();
  const id = useId();
  const [action, setAction] = useState<Action>('revoke-bonus');
  const [creditsText, setCreditsText] = useState('');
  const [reasonText, setReasonText] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [review, setReview] = useState<Correction | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const have = (a: Action) => (ACTIONS[a].bucket === 'bonus' ? bonus : purchased);

  function onReview(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setDone(null);
    const next: Problems = {};
    const credits = /^\d+$/.test(creditsText.trim()) ? Number(creditsText.trim()) : Number.NaN;
    if (!Number.isSafeInteger(credits) || credits <= 0) next.credits = 'Enter a whole number of credits greater than zero.';
    else if (ACTIONS[action].sign < 0 && credits > have(action)) {
      next.credits = `${userEmail} has ${formatCount(have(action))} ${ACTIONS[action].bucket} credits that can be taken; a correction never goes below zero.`;
    }
    const reason = reasonText.trim();
    if (!reason) next.reason = 'Give a reason; it is recorded in the user’s ledger and the audit list.';
    else if (reason.length > MAX_REASON_LENGTH) next.reason = `Keep the reason under ${MAX_REASON_LENGTH} characters.`;
    setProblems(next);
    if (next.credits || next.reason) return;
    setError(null);
    setReview({ action, credits, reason, idempotencyKey: crypto.randomUUID() });
  }

  async function onConfirm() {
    if (!review) return;
    const spec = ACTIONS[review.action];
    setPending(true);
    setError(null);
    const result = await correctUserCredits({
      userId,
      bucket: spec.bucket,
      credits: spec.sign * review.credits,
      reason: review.reason,
      idempotencyKey: review.idempotencyKey,
    }).catch(() => null);
    setPending(false);
    if (!result?.ok) {
      setError(result ? result.error.message : 'The correction could not be sent. Check your connection and try again.');
      return;
    }
    const after = spec.bucket === 'bonus' ? result.data.creditsBonus : result.data.creditsPurchased;
    const message = `${spec.verb === 'Add' ? 'Added' : spec.verb === 'Revoke' ? 'Revoked' : 'Removed'} ${formatCount(review.credits)} ${spec.bucket} credits. ${userEmail} now has ${formatCount(after)} ${spec.bucket} credits.`;
    setReview(null);
    setCreditsText('');
    setReasonText('');
    setDone(message);
    toast.success('Correction recorded', { description: message });
    router.refresh();
    void notifyCreditsChanged();
  }

  const reviewed = review ? ACTIONS[review.action] : null;
  return (
    <>
      <form onSubmit={onReview} noValidate className="flex flex-col gap-4">
        {done ? (
          <Alert variant="success" role="status">
            <CheckCircle2Icon aria-hidden />
            <AlertDescription>{done}</AlertDescription>
          </Alert>
        ) : null}
        <fieldset className="flex flex-col gap-2">
          <legend className="mb-2 text-sm font-medium">Correction</legend>
          {(Object.keys(ACTIONS) as Action[]).map((value) => (
            <label key={value} className="flex items-center gap-2 text-sm">
              <input type="radio" name={`${id}-action`} value={value} checked={action === value} onChange={() => setAction(value)} className="accent-primary" />
              {ACTIONS[value].label}
              {ACTIONS[value].sign < 0 ? <span className="text-muted-foreground">({formatCount(have(value))} available)</span> : null}
            </label>
          ))}
        </fieldset>
        <div className="flex flex-col gap-2">
          <Label htmlFor={`${id}-credits`}>Credits</Label>
          <Input
            id={`${id}-credits`}
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            placeholder="50"
            value={creditsText}
            onChange={(event) => setCreditsText(event.target.value)}
            aria-invalid={problems.credits ? true : undefined}
            aria-describedby={problems.credits ? `${id}-credits-error` : undefined}
          />
          {problems.credits ? (
            <p id={`${id}-credits-error`} className="text-sm text-destructive">
              {problems.credits}
            </p>
          ) : null}
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor={`${id}-reason`}>Why this correction</Label>
          <Textarea
            id={`${id}-reason`}
            placeholder="e.g. Promo credits granted twice by mistake"
            maxLength={MAX_REASON_LENGTH}
            value={reasonText}
            onChange={(event) => setReasonText(event.target.value)}
            aria-invalid={problems.reason ? true : undefined}
            aria-describedby={`${id}-reason-hint${problems.reason ? ` ${id}-reason-error` : ''}`}
          />
          <p id={`${id}-reason-hint`} className="text-xs text-muted-foreground">
            Shown in the user’s credit history and in the audit list.
          </p>
          {problems.reason ? (
            <p id={`${id}-reason-error`} className="text-sm text-destructive">
              {problems.reason}
            </p>
          ) : null}
        </div>
        <Button type="submit" variant="outline" className="self-start">
          <ScaleIcon aria-hidden />
          Review correction
        </Button>
      </form>

      <Dialog open={review !== null} onOpenChange={(open) => !open && !pending && setReview(null)}>
        <DialogContent className="sm:max-w-md">
          <DialogHeader>
            <DialogTitle>{reviewed && review ? `${reviewed.verb} ${formatCount(review.credits)} ${reviewed.bucket} credits?` : ''}</DialogTitle>
            <DialogDescription>
              {reviewed && review
                ? `${userEmail}’s ${reviewed.bucket} credits go from ${formatCount(have(review.action))} to ${formatCount(have(review.action) + reviewed.sign * review.credits)}. The correction is recorded in the ledger with you as the actor and cannot be undone from here.`
                : ''}
            </DialogDescription>
          </DialogHeader>
          <blockquote className="rounded-lg bg-muted px-4 py-3 text-sm">
            <span className="block text-xs font-medium text-muted-foreground">Reason</span>
            {review?.reason}
          </blockquote>
          <ErrorAlert message={error} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline" disabled={pending}>
                Cancel
              </Button>
            </DialogClose>
            <Button variant={reviewed && reviewed.sign < 0 ? 'destructive' : 'default'} onClick={onConfirm} disabled={pending}>
              {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              {pending ? 'Applying…' : 'Confirm correction'}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
