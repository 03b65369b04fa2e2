import type { BooksMonth } from '@/features/common/payments/service/insights/books';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/shared/components/ui/table';
import { formatCount } from '@/shared/lib/format-count';
import { formatMoney } from '@/shared/lib/money';

const monthFormat = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

function signed(value: number): string {
  if (value > 0) return `+${formatCount(value)}`;
  if (value < 0) return `−${formatCount(-value)}`;
  return '0';
}

/** Credits in and out per month (UTC), newest first; each cell is a sum of that month's ledger entries. */
export function BooksMonthlyTable({ months }: { months: BooksMonth[] }) {
  return (
    <Table stacked>
      <caption className="sr-only">Credits per month (UTC), newest first</caption>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Month</TableHead>
          <TableHead className="text-right">Bought</TableHead>
          <TableHead className="text-right">Paid</TableHead>
          <TableHead className="text-right">Granted</TableHead>
          <TableHead className="text-right">Spent</TableHead>
          <TableHead className="text-right">Refunded</TableHead>
          <TableHead className="text-right">Expired</TableHead>
          <TableHead className="text-right">Corrected</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {months.map((month) => (
          <TableRow key={month.month}>
            <TableHead scope="row" className="text-sm font-medium tracking-normal text-foreground normal-case">
              {monthFormat.format(new Date(`${month.month}-01T00:00:00Z`))}
            </TableHead>
            <TableCell data-label="Bought" className="text-right tabular-nums">
              {formatCount(month.bought)}
            </TableCell>
            <TableCell data-label="Paid" className="text-right tabular-nums">
              {month.boughtFor.length ? month.boughtFor.map((m) => formatMoney(m.amountMinor, m.currency)).join(' + ') : '—'}
            </TableCell>
            <TableCell data-label="Granted" className="text-right tabular-nums">
              {formatCount(month.granted)}
            </TableCell>
            <TableCell data-label="Spent" className="text-right tabular-nums">
              {formatCount(month.spent)}
            </TableCell>
            <TableCell data-label="Refunded" className="text-right tabular-nums">
              {formatCount(month.refunded)}
            </TableCell>
            <TableCell data-label="Expired" className="text-right tabular-nums">
              {formatCount(month.expired)}
            </TableCell>
            <TableCell data-label="Corrected" className="text-right tabular-nums">
              {signed(month.corrected)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
