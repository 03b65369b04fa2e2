import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { FlaskConical } from 'lucide-react';

import { appConfig } from '@/config/app';
import { requireUser } from '@/features/common/auth/session';
import { paySimulatedCheckoutAction } from '@/features/common/payments/actions/simulator.action';
import { getSimulatedCheckout } from '@/features/common/payments/service/checkout-simulator';
import { Button } from '@/shared/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import { formatCount } from '@/shared/lib/format-count';
import { formatMoney } from '@/shared/lib/money';

export const metadata: Metadata = { title: 'Checkout (simulator)', robots: { index: false } };

/** Plays Stripe Checkout's part when no Stripe key is configured. */
export default async function SimulatedCheckoutPage({ params }: PageProps<'/checkout/simulator/[sessionId]'>) {
  const { sessionId } = await params;
  const user = await requireUser(`/checkout/simulator/${sessionId}`);
  const checkout = await getSimulatedCheckout(sessionId, user.id);
  if (!checkout) notFound();
  const { purchase, itemName } = checkout;
  const pay = paySimulatedCheckoutAction.bind(null, sessionId);

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
            <div className="flex justify-between px-4 py-3">
              <dt className="text-muted-foreground">Total</dt>
              <dd className="text-base font-semibold" data-testid="checkout-total">
                {formatMoney(purchase.amountMinor, purchase.currency)}
              </dd>
            </div>
          </dl>
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
                <Button type="submit" size="lg" className="w-full">
                  Pay {formatMoney(purchase.amountMinor, purchase.currency)}
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
