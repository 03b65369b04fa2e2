import type { Route } from 'next';
import Link from 'next/link';
import { ChevronLeftIcon, ChevronRightIcon } from 'lucide-react';

import type { AdminAction } from '@/features/common/payments/service/insights/admin-audit';
import { Badge } from '@/shared/components/ui/badge';
import { Button } from '@/shared/components/ui/button';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/shared/components/ui/table';
import type { CreditTransactionType } from '@/shared/db/schema';
import { formatCount } from '@/shared/lib/format-count';

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

const actionLabels: Partial<Record<CreditTransactionType, string>> = { grant: 'Grant', correction: 'Correction', expiration: 'Ended lot' };

function change(action: AdminAction): string {
  const parts = [
    action.bonusDelta ? `${action.bonusDelta > 0 ? '+' : '−'}${formatCount(Math.abs(action.bonusDelta))} bonus` : null,
    action.purchasedDelta ? `${action.purchasedDelta > 0 ? '+' : '−'}${formatCount(Math.abs(action.purchasedDelta))} purchased` : null,
  ].filter(Boolean);
  return parts.join(' · ') || '0';
}

export interface AdminActionsTableProps {
  items: AdminAction[];
  /** Links that filter the list by an admin or a user (by email). */
  filterHref: (filter: { admin?: string; user?: string }) => Route;
  olderHref?: Route | null;
  newestHref?: Route | null;
}

/** Admins' changes to credits: when, who, on whose wallet, what and why. */
export function AdminActionsTable({ items, filterHref, olderHref, newestHref }: AdminActionsTableProps) {
  if (items.length === 0 && !newestHref) return <p className="px-6 py-10 text-center text-sm text-muted-foreground">No admin actions match.</p>;
  return (
    <div className="flex flex-col">
      <Table stacked>
        <caption className="sr-only">Admin actions, newest first</caption>
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead>Date (UTC)</TableHead>
            <TableHead>Admin</TableHead>
            <TableHead>Wallet of</TableHead>
            <TableHead>Action</TableHead>
            <TableHead>Reason</TableHead>
            <TableHead className="text-right">Change</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {items.map((action) => (
            <TableRow key={action.id}>
              <TableCell data-label="Date (UTC)" className="whitespace-nowrap text-muted-foreground">
                <time dateTime={action.createdAt.toISOString()}>{dateFormat.format(action.createdAt)}</time>
              </TableCell>
              <TableCell data-label="Admin">
                <Link href={filterHref({ admin: action.adminId })} className="underline-offset-4 hover:underline">
                  {action.adminEmail ?? action.adminId}
                </Link>
              </TableCell>
              <TableCell data-label="Wallet of">
                {action.userEmail ? (
                  <Link href={filterHref({ user: action.userEmail })} className="underline-offset-4 hover:underline">
                    {action.userEmail}
                  </Link>
                ) : (
                  (action.organizationName ?? action.walletId)
                )}
              </TableCell>
              <TableCell data-label="Action">
                <Badge variant="outline">{actionLabels[action.type] ?? action.type}</Badge>
              </TableCell>
              <TableCell data-label="Reason" className="max-w-72">
                <span className="block truncate" title={action.reason}>
                  {action.reason}
                </span>
              </TableCell>
              <TableCell data-label="Change" className="text-right whitespace-nowrap tabular-nums">
                {change(action)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {olderHref || newestHref ? (
        <nav aria-label="Audit pages" className="flex items-center justify-between gap-2 border-t border-border px-4 py-3">
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
