'use client';

import { useId, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { CheckCircle2Icon, GiftIcon, Loader2Icon } from 'lucide-react';

import { appConfig } from '@/config/app';
import { grantBonusCredits } from '@/features/common/payments/actions/admin-credits.action';
import { grantOrganizationBonusCredits } from '@/features/common/payments/actions/organizations.action';
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

interface Grant {
  credits: number;
  reason: string;
  /** The last day (UTC) the credits can be spent, or none: they follow the configured default. */
  expiresOn?: string;
  /** Made when the admin reviews the grant, so confirming twice grants once. */
  idempotencyKey: string;
}

type Problems = Partial<Record<'credits' | 'reason' | 'expiresOn', string>>;

const todayUtc = () => new Date().toISOString().slice(0, 10);
const dayFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

function validate(creditsText: string, reasonText: string, expiresOn: string): { grant: Omit<Grant, 'idempotencyKey'> } | { problems: Problems } {
  const problems: Problems = {};
  const credits = /^\d+$/.test(creditsText.trim()) ? Number(creditsText.trim()) : Number.NaN;
  if (!Number.isSafeInteger(credits) || credits <= 0) problems.credits = 'Enter a whole number of credits greater than zero.';
  const reason = reasonText.trim();
  if (!reason) problems.reason = 'Give a reason; it is recorded in the user’s ledger.';
  else if (reason.length > MAX_REASON_LENGTH) problems.reason = `Keep the reason under ${MAX_REASON_LENGTH} characters.`;
  if (expiresOn && (!/^\d{4}-\d{2}-\d{2}$/.test(expiresOn) || expiresOn < todayUtc())) problems.expiresOn = 'Choose today or a later day, or leave it empty.';
  return problems.credits || problems.reason || problems.expiresOn ? { problems } : { grant: { credits, reason, expiresOn: expiresOn || undefined } };
}

/**
 * The admin's grant form: an amount and a required reason, then a confirmation naming the user,
 * then `grantBonusCredits` (which checks again on the server that the caller is an admin). With
 * `organizationId` the credits go to that organisation's wallet instead (`userEmail` then names it).
 */
export function GrantBonusCreditsForm({ userId, userEmail, organizationId }: { userId: string; userEmail: string; organizationId?: string }) {
  const router = useRouter();
  const id = useId();
  const [creditsText, setCreditsText] = useState('');
  const [reasonText, setReasonText] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const [review, setReview] = useState<Grant | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [granted, setGranted] = useState<{ credits: number; balance: number } | null>(null);

  function onReview(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setGranted(null);
    const result = validate(creditsText, reasonText, expiresOn);
    if ('problems' in result) {
      setProblems(result.problems);
      return;
    }
    setProblems({});
    setError(null);
    setReview({ ...result.grant, idempotencyKey: crypto.randomUUID() });
  }

  async function onConfirm() {
    if (!review) return;
    setPending(true);
    setError(null);
    const result = await (organizationId ? grantOrganizationBonusCredits({ organizationId, ...review }) : grantBonusCredits({ userId, ...review })).catch(
      () => null,
    );
    setPending(false);
    if (!result?.ok) {
      setError(result ? result.error.message : 'The grant could not be sent. Check your connection and try again.');
      return;
    }
    setReview(null);
    setCreditsText('');
    setReasonText('');
    setExpiresOn('');
    setGranted({ credits: review.credits, balance: result.data.creditsBalance });
    toast.success(`Granted ${formatCount(review.credits)} bonus credits`, { description: userEmail });
    router.refresh();
    void notifyCreditsChanged();
  }

  return (
    <>
      <form onSubmit={onReview} noValidate className="flex flex-col gap-4">
        {granted ? (
          <Alert variant="success" role="status">
            <CheckCircle2Icon aria-hidden />
            <AlertDescription>
              Granted {formatCount(granted.credits)} bonus credits. {userEmail} now has {formatCount(granted.balance)} credits.
            </AlertDescription>
          </Alert>
        ) : null}
        <div className="flex flex-col gap-2">
          <Label htmlFor={`${id}-credits`}>Credits to grant</Label>
          <Input
            id={`${id}-credits`}
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            placeholder="250"
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
          <Label htmlFor={`${id}-reason`}>Reason</Label>
          <Textarea
            id={`${id}-reason`}
            placeholder="e.g. Compensation for the outage on 12 March"
            maxLength={MAX_REASON_LENGTH}
            value={reasonText}
            onChange={(event) => setReasonText(event.target.value)}
            aria-invalid={problems.reason ? true : undefined}
            aria-describedby={`${id}-reason-hint${problems.reason ? ` ${id}-reason-error` : ''}`}
          />
          <p id={`${id}-reason-hint`} className="text-xs text-muted-foreground">
            Shown in the user’s credit history.
          </p>
          {problems.reason ? (
            <p id={`${id}-reason-error`} className="text-sm text-destructive">
              {problems.reason}
            </p>
          ) : null}
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor={`${id}-expires`}>Spendable until (optional)</Label>
          <Input
            id={`${id}-expires`}
            type="date"
            min={todayUtc()}
            value={expiresOn}
            onChange={(event) => setExpiresOn(event.target.value)}
            className="w-auto self-start"
            aria-invalid={problems.expiresOn ? true : undefined}
            aria-describedby={`${id}-expires-hint${problems.expiresOn ? ` ${id}-expires-error` : ''}`}
          />
          <p id={`${id}-expires-hint`} className="text-xs text-muted-foreground">
            The last day (UTC) the credits can be spent. Empty:{' '}
            {appConfig.billing.credits.bonusExpiresAfterDays
              ? `they expire after ${formatCount(appConfig.billing.credits.bonusExpiresAfterDays)} days, like all bonus credits.`
              : 'they do not expire.'}
          </p>
          {problems.expiresOn ? (
            <p id={`${id}-expires-error`} className="text-sm text-destructive">
              {problems.expiresOn}
            </p>
          ) : null}
        </div>
        <Button type="submit" className="self-start">
          <GiftIcon aria-hidden />
          Review grant
        </Button>
      </form>

      <Dialog open={review !== null} onOpenChange={(open) => !open && !pending && setReview(null)}>
        <DialogContent className="sm:max-w-md">
          <DialogHeader>
            <DialogTitle>Grant {review ? formatCount(review.credits) : ''} bonus credits?</DialogTitle>
            <DialogDescription>
              They are added to {userEmail}’s bonus balance at once and recorded in the ledger with you as the actor. A grant cannot be undone from here.
            </DialogDescription>
          </DialogHeader>
          <blockquote className="rounded-lg bg-muted px-4 py-3 text-sm">
            <span className="block text-xs font-medium text-muted-foreground">Reason</span>
            {review?.reason}
          </blockquote>
          {review?.expiresOn ? (
            <p className="text-sm">Spendable until the end of {dayFormat.format(new Date(`${review.expiresOn}T00:00:00Z`))} (UTC), then they expire.</p>
          ) : null}
          <ErrorAlert message={error} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline" disabled={pending}>
                Cancel
              </Button>
            </DialogClose>
            <Button onClick={onConfirm} disabled={pending}>
              {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
              {pending ? 'Granting…' : 'Confirm grant'}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
