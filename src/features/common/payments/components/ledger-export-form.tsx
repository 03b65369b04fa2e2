import { DownloadIcon } from 'lucide-react';

import { Button } from '@/shared/components/ui/button';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';

/**
 * Downloads every wallet's ledger entries between two UTC days (both included) as CSV: a plain GET
 * form to the admin export route, so the browser saves the file and the page stays.
 */
export function LedgerExportForm({ action, from, to }: { action: string; from: string; to: string }) {
  return (
    <form action={action} method="get" aria-label="Export the ledger" className="flex flex-wrap items-end gap-3">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="ledger-from">First day (UTC)</Label>
        <Input id="ledger-from" name="from" type="date" defaultValue={from} required className="w-auto" />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="ledger-to">Last day (UTC)</Label>
        <Input id="ledger-to" name="to" type="date" defaultValue={to} required className="w-auto" />
      </div>
      <Button type="submit" variant="outline">
        <DownloadIcon aria-hidden />
        Export ledger as CSV
      </Button>
    </form>
  );
}
