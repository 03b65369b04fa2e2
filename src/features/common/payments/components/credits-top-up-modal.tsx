'use client';

import type { ReactNode } from 'react';

import { CreditsTopUpOptions } from '@/features/common/payments/components/credits-top-up-options';
import { useCredits } from '@/features/common/payments/hooks/use-credits';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from '@/shared/components/ui/dialog';
import { Skeleton } from '@/shared/components/ui/skeleton';
import { formatCount } from '@/shared/lib/format-count';

export interface CreditsTopUpModalProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** An element that opens the modal (a button); leave it out to open it yourself with `open`. */
  trigger?: ReactNode;
  /** Where checkout returns after payment; default: the current page with `?billing=success`. */
  successUrl?: string;
  /** Where checkout returns on cancel; default: the current page with `?billing=cancel`. */
  cancelUrl?: string;
  /** Buy for this organisation's wallet (null: the buyer's own); default: the active wallet. */
  organizationId?: string | null;
}

/**
 * The top-up modal: the configured credit packages and, when `enterManually` is on, an amount of the
 * buyer's choice with its live price. Each choice calls `useCredits().topUp…` and goes to checkout.
 * Usable on any page, with or without a `trigger`.
 */
export function CreditsTopUpModal({ open, onOpenChange, trigger, successUrl, cancelUrl, organizationId }: CreditsTopUpModalProps) {
  const wallet = useCredits({ organizationId }).organizationId;
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      {trigger ? <DialogTrigger asChild>{trigger}</DialogTrigger> : null}
      <DialogContent className="sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>Top up credits</DialogTitle>
          <DialogDescription>
            Choose a pack or enter an amount. You pay with Stripe and the credits are added to {wallet ? 'the organization’s shared wallet' : 'your balance'} as
            soon as the payment clears.
          </DialogDescription>
        </DialogHeader>
        <CurrentBalance organizationId={wallet} />
        <CreditsTopUpOptions successUrl={successUrl} cancelUrl={cancelUrl} organizationId={wallet} />
      </DialogContent>
    </Dialog>
  );
}

function CurrentBalance({ organizationId }: { organizationId: string | null }) {
  const { creditsBalance, creditsHeld, isLoading } = useCredits({ organizationId });
  return (
    <p className="flex items-center justify-between rounded-lg bg-muted px-4 py-2 text-sm">
      <span className="text-muted-foreground">Current balance</span>
      {creditsBalance !== null ? (
        <span className="text-right">
          <span className="font-medium tabular-nums">{formatCount(creditsBalance)} credits</span>
          {creditsHeld ? (
            <span className="block text-xs text-muted-foreground tabular-nums" data-testid="top-up-reserved">
              Reserved: {formatCount(creditsHeld)} for work in progress
            </span>
          ) : null}
        </span>
      ) : isLoading ? (
        <Skeleton className="h-4 w-20" />
      ) : (
        <span className="text-muted-foreground">Unavailable</span>
      )}
    </p>
  );
}
