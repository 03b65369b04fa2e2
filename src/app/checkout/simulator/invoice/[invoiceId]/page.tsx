import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { FlaskConical } from 'lucide-react';

import { appConfig } from '@/config/app';
import { requireUser } from '@/features/common/auth/session';
import { getSimulatedInvoice, recordedTotals } from '@/features/common/payments/service/checkout-simulator';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import { formatCount } from '@/shared/lib/format-count';
import { formatMoney } from '@/shared/lib/money';

export const metadata: Metadata = { title: 'Invoice (simulator)', robots: { index: false } };

/** Plays the part of Stripe's hosted invoice page when no Stripe key is configured. */
export default async function SimulatedInvoicePage({ params }: PageProps<'/checkout/simulator/invoice/[invoiceId]'>) {
  const { invoiceId } = await params;
  const user = await requireUser(`/checkout/simulator/invoice/${invoiceId}`);
  const invoice = await getSimulatedInvoice(invoiceId, user.id);
  if (!invoice) notFound();
  const { purchase, itemName } = invoice;
  const totals = recordedTotals(purchase);
  const money = (minor: number) => formatMoney(minor, purchase.currencyPaid ?? purchase.currency);
  const rows: [string, string][] = [
    ['Item', `${itemName} (${formatCount(purchase.credits)} credits)`],
    ['Subtotal', money(totals.subtotal)],
    ...(totals.discount ? ([['Discount', `−${money(totals.discount)}`]] as [string, string][]) : []),
    ...(totals.tax ? ([['Tax', money(totals.tax)]] as [string, string][]) : []),
    ['Amount paid', money(totals.total)],
    ['Paid on', (purchase.fulfilledAt ?? purchase.updatedAt).toISOString().slice(0, 10)],
  ];

  return (
    <main className="flex min-h-dvh items-center justify-center bg-muted px-4 py-10">
      <Card className="w-full max-w-md">
        <CardHeader>
          <p className="mb-2 inline-flex w-fit items-center gap-1.5 rounded-full border border-border bg-background px-2.5 py-0.5 text-xs font-medium text-muted-foreground">
            <FlaskConical className="size-3.5" aria-hidden /> Test mode · simulated invoice
          </p>
          <CardTitle asChild className="text-xl">
            <h1>Invoice {invoiceId}</h1>
          </CardTitle>
          <CardDescription>From {appConfig.name}. With Stripe configured, this is Stripe&apos;s hosted invoice page with its PDF.</CardDescription>
        </CardHeader>
        <CardContent>
          <dl className="divide-y divide-border rounded-lg border border-border text-sm">
            {rows.map(([label, value]) => (
              <div key={label} className="flex justify-between gap-4 px-4 py-3">
                <dt className="text-muted-foreground">{label}</dt>
                <dd className="text-right font-medium">{value}</dd>
              </div>
            ))}
          </dl>
        </CardContent>
      </Card>
    </main>
  );
}
