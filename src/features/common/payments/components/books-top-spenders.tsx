import type { TopSpender } from '@/features/common/payments/service/insights/books';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/shared/components/ui/table';
import { formatCount } from '@/shared/lib/format-count';

/** The wallets that spent the most credits in the window, most first. */
export function BooksTopSpenders({ spenders, days }: { spenders: TopSpender[]; days: number }) {
  if (spenders.length === 0) return <p className="py-6 text-center text-sm text-muted-foreground">Nobody spent credits in the last {days} days.</p>;
  return (
    <Table>
      <caption className="sr-only">Top spenders, last {days} days</caption>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Who</TableHead>
          <TableHead className="text-right">Credits spent</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {spenders.map((spender) => (
          <TableRow key={spender.walletId}>
            <TableCell>
              <span className="font-medium">{spender.name}</span>
              {spender.organizationId ? <span className="ml-2 text-xs text-muted-foreground">organisation</span> : null}
            </TableCell>
            <TableCell className="text-right tabular-nums">{formatCount(spender.credits)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
