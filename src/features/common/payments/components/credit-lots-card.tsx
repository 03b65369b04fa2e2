import type { ReactNode } from 'react';
import { CalendarClockIcon } from 'lucide-react';

import { nextExpiry, type CreditLotView } from '@/features/common/payments/service/ledger/lots';
import { Badge } from '@/shared/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import type { CreditLotSource } from '@/shared/db/schema';
import { formatCount } from '@/shared/lib/format-count';

const sourceLabels: Record<CreditLotSource, string> = {
  purchase: 'Purchase',
  grant: 'Grant',
  signup_bonus: 'Sign-up bonus',
  correction: 'Correction',
  opening_balance: 'Earlier balance',
};

export const expiryDateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

/** "120 credits expire on Jan 5, 2027", or nothing when no credits expire. */
export function CreditsExpiryNote({ lots }: { lots: CreditLotView[] }) {
  const next = nextExpiry(lots);
  if (!next) return null;
  return (
    <p className="flex items-start gap-2 rounded-lg bg-muted px-3 py-2 text-sm" data-testid="credits-next-expiry">
      <CalendarClockIcon className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden />
      <span>
        <span className="font-medium">
          {formatCount(next.credits)} {next.credits === 1 ? 'credit expires' : 'credits expire'} on {expiryDateFormat.format(next.expiresAt)}
        </span>
        <span className="block text-xs text-muted-foreground">Credits that expire soonest are always spent first.</span>
      </span>
    </p>
  );
}

export interface CreditLotsCardProps {
  lots: CreditLotView[];
  title?: string;
  description?: string;
  /** Per lot, e.g. an admin's "End now" form. */
  action?: (lot: CreditLotView) => ReactNode;
  /** Show every lot, also those that never expire (the admin's view); by default only when some expire. */
  always?: boolean;
}

/**
 * The credits a wallet holds, lot by lot, in the order they are spent, with when each expires. Shown
 * to users only while some of their credits expire.
 */
export function CreditLotsCard({ lots, title = 'Expiring credits', description, action, always = false }: CreditLotsCardProps) {
  if (!always && !lots.some((lot) => lot.expiresAt)) return null;
  return (
    <Card>
      <CardHeader className="pb-2">
        <CardTitle asChild>
          <h2>{title}</h2>
        </CardTitle>
        <CardDescription>{description ?? 'Your credits by when they arrived and when they expire, in the order they are spent.'}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <CreditsExpiryNote lots={lots} />
        {lots.length === 0 ? (
          <p className="text-sm text-muted-foreground">No credits left.</p>
        ) : (
          <ul className="divide-y divide-border rounded-lg border border-border" aria-label="Credit lots">
            {lots.map((lot) => (
              <li key={lot.id} className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 px-3 py-2 text-sm">
                <span className="flex min-w-0 flex-col">
                  <span className="font-medium tabular-nums">
                    {formatCount(lot.creditsLeft)} of {formatCount(lot.creditsGranted)} left
                  </span>
                  <span className="text-xs text-muted-foreground">
                    {sourceLabels[lot.source]} on {expiryDateFormat.format(lot.createdAt)}
                  </span>
                </span>
                <span className="flex items-center gap-3">
                  <Badge variant={lot.bucket === 'bonus' ? 'default' : 'secondary'}>{lot.bucket === 'bonus' ? 'Bonus' : 'Purchased'}</Badge>
                  <span className="text-xs whitespace-nowrap">{lot.expiresAt ? `Expires ${expiryDateFormat.format(lot.expiresAt)}` : 'Never expires'}</span>
                  {action?.(lot)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
