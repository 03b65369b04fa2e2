import type { CreditsUsageReport } from '@/features/common/payments/service/credits-usage.service';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/shared/components/ui/table';
import { formatCount } from '@/shared/lib/format-count';

const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** Where the window's credits went: each feature's credits and share, most used first. */
export function CreditsFeatureUsageTable({ report }: { report: CreditsUsageReport }) {
  if (report.total === 0) {
    return <p className="py-6 text-center text-sm text-muted-foreground">Nothing spent in the last {report.days.length} days.</p>;
  }
  return (
    <Table>
      <caption className="sr-only">Credits used per feature, last {report.days.length} days</caption>
      <TableHeader>
        <TableRow className="hover:bg-transparent">
          <TableHead>Feature</TableHead>
          <TableHead className="text-right">Credits</TableHead>
          <TableHead className="text-right">Share</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {report.features.map((feature) => (
          <TableRow key={feature.key ?? ''}>
            <TableCell className="font-medium">{feature.label}</TableCell>
            <TableCell className="text-right tabular-nums">{formatCount(feature.credits)}</TableCell>
            <TableCell className="text-right tabular-nums">{percent.format(feature.share)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
