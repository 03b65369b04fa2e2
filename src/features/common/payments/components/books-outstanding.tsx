import type { ReactNode } from 'react';

import { appConfig } from '@/config/app';
import type { BooksOutstanding } from '@/features/common/payments/service/insights/books';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import { formatCount } from '@/shared/lib/format-count';
import { formatMoney } from '@/shared/lib/money';

function Figure({ title, value, testId, children }: { title: string; value: string; testId: string; children?: ReactNode }) {
  return (
    <Card>
      <CardHeader className="pb-2">
        <CardTitle asChild>
          <h2 className="text-sm font-medium text-muted-foreground">{title}</h2>
        </CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-1">
        <span className="text-2xl font-semibold tabular-nums" data-testid={testId}>
          {value}
        </span>
        {children ? <CardDescription>{children}</CardDescription> : null}
      </CardContent>
    </Card>
  );
}

/** What the business owes in credits right now, and what the purchased ones were paid for. */
export function BooksOutstandingCards({ outstanding }: { outstanding: BooksOutstanding }) {
  const revenue = outstanding.deferredRevenue;
  return (
    <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
      <Figure
        title="Deferred revenue"
        value={revenue.length ? revenue.map((r) => formatMoney(r.amountMinor, r.currency)).join(' + ') : formatMoney(0, appConfig.billing.credits.currency)}
        testId="books-deferred-revenue"
      >
        Outstanding purchased credits at the price they were bought for
      </Figure>
      <Figure title="Outstanding purchased credits" value={formatCount(outstanding.purchased)} testId="books-outstanding-purchased">
        {outstanding.unpricedPurchased > 0
          ? `${formatCount(outstanding.unpricedPurchased)} of them came from no purchase (grants, corrections)`
          : 'All from purchases'}
      </Figure>
      <Figure title="Outstanding bonus credits" value={formatCount(outstanding.bonus)} testId="books-outstanding-bonus">
        Given away, not yet spent or expired
      </Figure>
      <Figure title="Reserved by open holds" value={formatCount(outstanding.held)} testId="books-held">
        Included in the two figures before
      </Figure>
    </div>
  );
}
