import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { FlaskConical } from 'lucide-react';

import { appConfig } from '@/config/app';
import { requireUser } from '@/features/common/auth/session';
import { paySimulatedCheckoutAction } from '@/features/common/payments/actions/simulator.action';
import {
  getSimulatedCheckout,
  recordedTotals,
  SIMULATOR_DISCOUNT_PERCENT,
  SIMULATOR_PROMOTION_CODE,
  SIMULATOR_TAX_PERCENT,
  simulatedTotals,
} from '@/features/common/payments/service/checkout-simulator';
import { Button } from '@/shared/components/ui/button';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import { formatCount } from '@/shared/lib/format-count';
import { formatMoney } from '@/shared/lib/money';

export const metadata: Metadata = { title: 'Checkout (simulator)', robots: { index: false } };

/** Plays Stripe Checkout's part when no Stripe key is configured. */
export default async function SimulatedCheckoutPage({ params, searchParams }: PageProps<'/checkout/simulator/[sessionId]'>) {
  const { sessionId } = await params;
  const { code } = await searchParams;
  const entered = typeof code === 'string' ? code.slice(0, 100) : '';
  const user = await requireUser(`/checkout/simulator/${sessionId}`);
  const checkout = await getSimulatedCheckout(sessionId, user.id);
  if (!checkout) notFound();
  const { purchase, itemName } = checkout;
  const pay = paySimulatedCheckoutAction.bind(null, sessionId);
  const credits = appConfig.billing.credits;
  const applied = entered ? simulatedTotals(purchase, entered) : null;
  const totals = purchase.status === 'paid' ? recordedTotals(purchase) : (applied ?? simulatedTotals(purchase, null)!);
  const money = (minor: number) => formatMoney(minor, purchase.currency);

  return (
    <main className="flex min-h-dvh items-center justify-center bg-muted px-4 py-10">
      <Card className="w-full max-w-md">
        <CardHeader>
          <p className="mb-2 inline-flex w-fit items-center gap-1.5 rounded-full border border-border bg-background px-2.5 py-0.5 text-xs font-medium text-muted-foreground">
            <FlaskConical className="size-3.5" aria-hidden /> Test mode · no real payment
          </p>
          <CardTitle asChild className="text-xl">
            <h1>Pay {appConfig.name}</h1>
          </CardTitle>
          <CardDescription>The checkout simulator stands in for Stripe Checkout until STRIPE_SECRET_KEY is set.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-6">
          <dl className="divide-y divide-border rounded-lg border border-border text-sm">
            <div className="flex justify-between px-4 py-3">
              <dt className="text-muted-foreground">Item</dt>
              <dd className="font-medium">{itemName}</dd>
            </div>
            <div className="flex justify-between px-4 py-3">
              <dt className="text-muted-foreground">Credits</dt>
              <dd className="font-medium">{formatCount(purchase.credits)}</dd>
            </div>
            {totals.discount || totals.tax ? (
              <div className="flex justify-between px-4 py-3">
                <dt className="text-muted-foreground">Subtotal</dt>
                <dd className="font-medium">{money(totals.subtotal)}</dd>
              </div>
            ) : null}
            {totals.discount ? (
              <div className="flex justify-between px-4 py-3">
                <dt className="text-muted-foreground">Discount{totals.promotionCode ? ` (${totals.promotionCode})` : ''}</dt>
                <dd className="font-medium" data-testid="checkout-discount">
                  −{money(totals.discount)}
                </dd>
              </div>
            ) : null}
            {credits.automaticTax ? (
              <div className="flex justify-between px-4 py-3">
                <dt className="text-muted-foreground">Tax ({SIMULATOR_TAX_PERCENT}%, simulated)</dt>
                <dd className="font-medium" data-testid="checkout-tax">
                  {money(totals.tax)}
                </dd>
              </div>
            ) : null}
            <div className="flex justify-between px-4 py-3">
              <dt className="text-muted-foreground">Total</dt>
              <dd className="text-base font-semibold" data-testid="checkout-total">
                {money(totals.total)}
              </dd>
            </div>
          </dl>
          {credits.allowPromotionCodes && purchase.status !== 'paid' ? (
            <form method="get" className="flex flex-col gap-2">
              <Label htmlFor="promotion-code">Promotion code</Label>
              <div className="flex gap-2">
                <Input id="promotion-code" name="code" defaultValue={entered} maxLength={100} autoComplete="off" aria-describedby="promotion-code-hint" />
                <Button type="submit" variant="outline">
                  Apply
                </Button>
              </div>
              {entered && !applied ? (
                <p role="alert" className="text-sm text-destructive">
                  This code is not valid.
                </p>
              ) : (
                <p id="promotion-code-hint" className="text-xs text-muted-foreground">
                  Try {SIMULATOR_PROMOTION_CODE} for {SIMULATOR_DISCOUNT_PERCENT}% off.
                </p>
              )}
            </form>
          ) : null}
          {credits.automaticTax || credits.invoiceCreation ? (
            <p className="text-xs text-muted-foreground">
              {credits.automaticTax ? 'Stripe Tax would ask for your billing address and tax ID here. ' : ''}
              {credits.invoiceCreation ? 'An invoice is made when you pay.' : ''}
            </p>
          ) : null}
          {purchase.status === 'paid' ? (
            <p role="status" className="text-sm text-muted-foreground">
              This checkout is already paid.{' '}
              <a className="font-medium text-primary underline" href={purchase.successUrl}>
                Return to {appConfig.name}
              </a>
            </p>
          ) : (
            <div className="flex flex-col gap-2 sm:flex-row-reverse">
              <form action={pay} className="flex-1">
                {applied?.promotionCode ? <input type="hidden" name="promotionCode" value={applied.promotionCode} /> : null}
                <Button type="submit" size="lg" className="w-full">
                  Pay {money(totals.total)}
                </Button>
              </form>
              <Button asChild variant="outline" size="lg" className="flex-1">
                <a href={purchase.cancelUrl}>Cancel</a>
              </Button>
            </div>
          )}
        </CardContent>
      </Card>
    </main>
  );
}
