'use client';

import type { Route } from 'next';
import Link from 'next/link';
import { PlusIcon } from 'lucide-react';

import { CreditsTopUpModal } from '@/features/common/payments/components/credits-top-up-modal';
import { useCredits } from '@/features/common/payments/hooks/use-credits';
import { useCreditsTopUpModal } from '@/features/common/payments/hooks/use-credits-top-up-modal';
import { Button } from '@/shared/components/ui/button';
import { Skeleton } from '@/shared/components/ui/skeleton';
import { formatCount } from '@/shared/lib/format-count';

/** The balance at a glance with a way to top up, for a dashboard; `historyHref` links to the full page. */
export function CreditsQuickAccess({ historyHref }: { historyHref: Route }) {
  const modal = useCreditsTopUpModal();
  const { creditsBalance, creditsPurchased, creditsBonus, error } = useCredits();

  return (
    <div className="flex flex-col gap-5">
      <div role="group" aria-label="Available credits" className="flex flex-col gap-1">
        <span className="text-sm text-muted-foreground">Available</span>
        {creditsBalance === null ? (
          error ? (
            <span className="text-sm text-destructive">{error.message}</span>
          ) : (
            <Skeleton className="h-9 w-28" />
          )
        ) : (
          <span className="text-4xl font-semibold tracking-tight tabular-nums" data-testid="dashboard-credits">
            {formatCount(creditsBalance)}
          </span>
        )}
        <span className="text-sm text-muted-foreground">
          {creditsBonus === null || creditsPurchased === null ? '\u00a0' : `${formatCount(creditsBonus)} bonus · ${formatCount(creditsPurchased)} purchased`}
        </span>
      </div>
      <div className="flex flex-wrap gap-2">
        <CreditsTopUpModal
          open={modal.isOpen}
          onOpenChange={modal.setIsOpen}
          trigger={
            <Button>
              <PlusIcon aria-hidden />
              Top up credits
            </Button>
          }
        />
        <Button asChild variant="outline">
          <Link href={historyHref}>View history</Link>
        </Button>
      </div>
    </div>
  );
}
