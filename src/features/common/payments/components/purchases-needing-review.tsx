import { purchaseItemName } from '@/features/common/payments/credit-packages';
import { CreditReviewedPurchaseButton } from '@/features/common/payments/components/credit-reviewed-purchase-button';
import type { listPurchasesNeedingReview } from '@/features/common/payments/service/fulfilment';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/shared/components/ui/table';
import { formatMoney } from '@/shared/lib/money';

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/**
 * Paid checkouts that were not credited because Stripe charged another amount or currency than the
 * purchase's price: the admin credits them anyway here, or refunds them in the Stripe dashboard.
 */
export function PurchasesNeedingReview({ rows }: { rows: Awaited<ReturnType<typeof listPurchasesNeedingReview>> }) {
  if (rows.length === 0) return null;
  return (
    <Card className="border-amber-500/50">
      <CardHeader className="pb-2">
        <CardTitle asChild>
          <h2>Purchases needing review</h2>
        </CardTitle>
        <CardDescription>
          Stripe charged these buyers something other than the price, so no credits were added. Credit them anyway, or refund the payment in the Stripe
          dashboard.
        </CardDescription>
      </CardHeader>
      <CardContent className="px-2 pb-2">
        <Table stacked>
          <TableHeader>
            <TableRow>
              <TableHead>Buyer</TableHead>
              <TableHead>Purchase</TableHead>
              <TableHead>Charged</TableHead>
              <TableHead>Why</TableHead>
              <TableHead>When (UTC)</TableHead>
              <TableHead>
                <span className="sr-only">Action</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map(({ purchase, email }) => {
              const item = purchaseItemName(purchase);
              const charged = purchase.amountPaidMinor === null ? '—' : formatMoney(purchase.amountPaidMinor, purchase.currencyPaid ?? purchase.currency);
              return (
                <TableRow key={purchase.id}>
                  <TableCell data-label="Buyer" className="font-medium">
                    {email ?? purchase.userId}
                  </TableCell>
                  <TableCell data-label="Purchase">
                    {item} · {formatMoney(purchase.amountMinor, purchase.currency)}
                  </TableCell>
                  <TableCell data-label="Charged">{charged}</TableCell>
                  <TableCell data-label="Why" className="max-w-80 whitespace-normal text-sm text-muted-foreground">
                    {purchase.reviewReason}
                  </TableCell>
                  <TableCell data-label="When (UTC)" className="whitespace-nowrap text-sm">
                    {dateFormat.format(purchase.updatedAt)}
                  </TableCell>
                  <TableCell className="text-right">
                    <CreditReviewedPurchaseButton purchaseId={purchase.id} label={`${item} for ${email ?? purchase.userId}`} />
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
