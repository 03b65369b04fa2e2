import type { Route } from 'next';
import Link from 'next/link';
import { ChevronLeftIcon, ChevronRightIcon } from 'lucide-react';

import type { CreditTransactionView } from '@/features/common/payments/service/credits-balance.service';
import { Badge, type BadgeProps } from '@/shared/components/ui/badge';
import { Button } from '@/shared/components/ui/button';
import { formatMoney } from '@/shared/lib/money';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/shared/components/ui/table';
import type { CreditActorType, CreditTransactionType } from '@/shared/db/schema';
import { cn } from '@/shared/lib/cn';
import { formatCount } from '@/shared/lib/format-count';

const typeLabels: Record<CreditTransactionType, { label: string; variant: BadgeProps['variant'] }> = {
  purchase: { label: 'Purchase', variant: 'success' },
  grant: { label: 'Grant', variant: 'default' },
  signup_bonus: { label: 'Sign-up bonus', variant: 'default' },
  deduction: { label: 'Usage', variant: 'secondary' },
  refund: { label: 'Refund', variant: 'destructive' },
  correction: { label: 'Correction', variant: 'outline' },
  hold: { label: 'Reserved', variant: 'outline' },
  hold_settled: { label: 'Usage', variant: 'secondary' },
  hold_released: { label: 'Released', variant: 'outline' },
  hold_expired: { label: 'Reservation expired', variant: 'outline' },
  expiration: { label: 'Expired', variant: 'outline' },
};

const actorLabels: Record<CreditActorType, string> = { user: 'the user', admin: 'an admin', system: 'the system', stripe: 'Stripe' };

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** `+100` / `−10`, with a real minus sign so screen readers say "minus". */
function signed(credits: number): string {
  if (credits > 0) return `+${formatCount(credits)}`;
  if (credits < 0) return `−${formatCount(-credits)}`;
  return '0';
}

/** Which buckets an entry moved, e.g. "8 bonus · 2 purchased". */
function bucketsOf(entry: CreditTransactionView): string {
  const parts = [
    entry.bonusDelta !== 0 ? `${formatCount(Math.abs(entry.bonusDelta))} bonus` : null,
    entry.purchasedDelta !== 0 ? `${formatCount(Math.abs(entry.purchasedDelta))} purchased` : null,
    entry.heldDelta > 0 ? `${formatCount(entry.heldDelta)} reserved` : null,
    entry.heldDelta < 0 && entry.usedDelta > 0 ? `${formatCount(entry.usedDelta)} charged` : null,
  ].filter(Boolean);
  return parts.join(' · ');
}

export interface CreditTransactionsTableProps {
  items: CreditTransactionView[];
  /** Says under each reason who made the change; `actorNames` maps actor ids to a name (an admin's email). */
  showActor?: boolean;
  actorNames?: Record<string, string>;
  /** Links to the next (older) page and back to the first; leave out on the last or first page. */
  olderHref?: Route | null;
  newestHref?: Route | null;
  /** What an empty first page says (filters that match nothing, say); "No credit activity yet." by default. */
  emptyMessage?: string;
}

/** A user's ledger entries: what happened, why, by how much, and the balance it left. */
export function CreditTransactionsTable({
  items,
  showActor = false,
  actorNames = {},
  olderHref,
  newestHref,
  emptyMessage = 'No credit activity yet.',
}: CreditTransactionsTableProps) {
  if (items.length === 0 && !newestHref) {
    return <p className="px-6 py-10 text-center text-sm text-muted-foreground">{emptyMessage}</p>;
  }
  return (
    <div className="flex flex-col">
      <Table stacked>
        <caption className="sr-only">Credit history, newest first</caption>
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead>Date (UTC)</TableHead>
            <TableHead>Type</TableHead>
            <TableHead>Reason</TableHead>
            <TableHead className="text-right">Amount</TableHead>
            <TableHead className="text-right">Balance after</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {items.map((entry) => {
            const amount = entry.purchasedDelta + entry.bonusDelta;
            const type = typeLabels[entry.type];
            return (
              <TableRow key={entry.id}>
                <TableCell data-label="Date (UTC)" className="whitespace-nowrap text-muted-foreground">
                  <time dateTime={entry.createdAt.toISOString()}>{dateFormat.format(entry.createdAt)}</time>
                </TableCell>
                <TableCell data-label="Type">
                  <Badge variant={type.variant}>{type.label}</Badge>
                </TableCell>
                <TableCell data-label="Reason" className="max-w-72">
                  <span className="block truncate" title={entry.reason}>
                    {entry.reason}
                  </span>
                  <PurchaseDetails metadata={entry.metadata} />
                  {showActor ? (
                    <span className="block truncate text-xs text-muted-foreground">
                      by {entry.actorType === 'admin' && entry.actorId ? (actorNames[entry.actorId] ?? 'an admin') : actorLabels[entry.actorType]}
                    </span>
                  ) : null}
                </TableCell>
                <TableCell data-label="Amount" className="text-right whitespace-nowrap">
                  <span className={cn('font-medium tabular-nums', amount > 0 && 'text-success', amount < 0 && 'text-foreground')}>{signed(amount)}</span>
                  <span className="block text-xs text-muted-foreground">{bucketsOf(entry)}</span>
                </TableCell>
                <TableCell data-label="Balance after" className="text-right font-medium tabular-nums">
                  {formatCount(entry.purchasedAfter + entry.bonusAfter)}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {olderHref || newestHref ? (
        <nav aria-label="Ledger pages" className="flex items-center justify-between gap-2 border-t border-border px-4 py-3">
          {newestHref ? (
            <Button asChild variant="ghost" size="sm">
              <Link href={newestHref}>
                <ChevronLeftIcon aria-hidden />
                Newest
              </Link>
            </Button>
          ) : (
            <span />
          )}
          {olderHref ? (
            <Button asChild variant="outline" size="sm">
              <Link href={olderHref}>
                Older
                <ChevronRightIcon aria-hidden />
              </Link>
            </Button>
          ) : null}
        </nav>
      ) : null}
    </div>
  );
}

/** A purchase's discount, tax and invoice (recorded at fulfilment), under its reason. */
function PurchaseDetails({ metadata }: { metadata: Record<string, unknown> | null }) {
  if (!metadata) return null;
  const currency = typeof metadata.currency === 'string' ? metadata.currency : null;
  const minor = (key: string) => (typeof metadata[key] === 'number' && (metadata[key] as number) > 0 ? (metadata[key] as number) : null);
  const discount = minor('amountDiscountMinor');
  const tax = minor('amountTaxMinor');
  const invoiceUrl = typeof metadata.invoiceUrl === 'string' && /^https?:\/\//.test(metadata.invoiceUrl) ? metadata.invoiceUrl : null;
  if (!currency || (!discount && !tax && !invoiceUrl)) return null;
  const parts = [discount ? `${formatMoney(discount, currency)} off` : null, tax ? `${formatMoney(tax, currency)} tax` : null].filter(Boolean);
  return (
    <span className="block truncate text-xs text-muted-foreground">
      {parts.join(' · ')}
      {invoiceUrl ? (
        <>
          {parts.length ? ' · ' : ''}
          <a href={invoiceUrl} target="_blank" rel="noopener noreferrer" className="font-medium text-primary underline">
            Invoice
          </a>
        </>
      ) : null}
    </span>
  );
}
