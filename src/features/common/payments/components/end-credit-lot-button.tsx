'use client';

import { useId, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Loader2Icon } from 'lucide-react';

import { endUserCreditLot } from '@/features/common/payments/actions/admin-credits.action';
import { notifyCreditsChanged } from '@/features/common/payments/hooks/use-credits';
import { MAX_REASON_LENGTH } from '@/features/common/payments/service/credits-input.schema';
import { ErrorAlert } from '@/shared/components/ui/action-message';
import { Button } from '@/shared/components/ui/button';
import { Dialog, DialogClose, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from '@/shared/components/ui/dialog';
import { Label } from '@/shared/components/ui/label';
import { Textarea } from '@/shared/components/ui/textarea';
import { toast } from '@/shared/components/ui/toaster';
import { formatCount } from '@/shared/lib/format-count';

/** An admin's "End now" for one lot: asks for a reason, then ends it (`endUserCreditLot`). */
export function EndCreditLotButton({ userId, lotId, creditsLeft, label }: { userId: string; lotId: string; creditsLeft: number; label: string }) {
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onConfirm() {
    if (!reason.trim()) {
      setProblem('Give a reason; it is recorded in the user’s ledger.');
      return;
    }
    setProblem(null);
    setPending(true);
    setError(null);
    const result = await endUserCreditLot({ userId, lotId, reason }).catch(() => null);
    setPending(false);
    if (!result?.ok) {
      setError(result ? result.error.message : 'Could not reach the server. Check your connection and try again.');
      return;
    }
    setOpen(false);
    setReason('');
    toast.success(`Ended ${formatCount(result.data.creditsEnded)} credits`);
    router.refresh();
    void notifyCreditsChanged();
  }

  return (
    <Dialog open={open} onOpenChange={(next) => !pending && setOpen(next)}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm" aria-label={`End now: ${label}`}>
          End now
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-md">
        <DialogHeader>
          <DialogTitle>End {formatCount(creditsLeft)} credits now?</DialogTitle>
          <DialogDescription>
            What is left of this lot leaves the balance at once, recorded as an expiry with you as the actor. Credits held by work in progress lapse when the
            work ends. This cannot be undone from here.
          </DialogDescription>
        </DialogHeader>
        <div className="flex flex-col gap-2">
          <Label htmlFor={`${id}-reason`}>Reason</Label>
          <Textarea
            id={`${id}-reason`}
            maxLength={MAX_REASON_LENGTH}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-reason-error` : undefined}
          />
          {problem ? (
            <p id={`${id}-reason-error`} className="text-sm text-destructive">
              {problem}
            </p>
          ) : null}
        </div>
        <ErrorAlert message={error} />
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline" disabled={pending}>
              Cancel
            </Button>
          </DialogClose>
          <Button variant="destructive" onClick={onConfirm} disabled={pending}>
            {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
            {pending ? 'Ending…' : 'End credits'}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
