'use client';

import type { Route } from 'next';
import Link from 'next/link';
import { CoinsIcon } from 'lucide-react';

import { useCredits } from '@/features/common/payments/hooks/use-credits';
import { badgeVariants } from '@/shared/components/ui/badge';
import { Skeleton } from '@/shared/components/ui/skeleton';
import { cn } from '@/shared/lib/cn';
import { formatCount } from '@/shared/lib/format-count';

/** The signed-in user's available credits, for a header; links to `href` (the credits page). */
export function CreditsBalanceBadge({ href }: { href: Route }) {
  const { creditsBalance, creditsHeld } = useCredits();
  const reserved = creditsHeld ? `, ${formatCount(creditsHeld)} reserved` : '';
  return (
    <Link
      href={href}
      className={cn(
        badgeVariants({ variant: 'outline' }),
        'h-8 gap-1.5 px-3 text-sm hover:bg-muted focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none',
      )}
      aria-label={creditsBalance === null ? 'Credits' : `${formatCount(creditsBalance)} credits available${reserved}`}
    >
      <CoinsIcon className="size-4! text-primary" aria-hidden />
      {creditsBalance === null ? (
        <Skeleton className="h-3.5 w-8" />
      ) : (
        <span className="tabular-nums" data-testid="header-credits">
          {formatCount(creditsBalance)}
        </span>
      )}
      {creditsHeld ? (
        <span className="text-xs text-muted-foreground tabular-nums" data-testid="header-credits-reserved">
          +{formatCount(creditsHeld)} reserved
        </span>
      ) : null}
    </Link>
  );
}
