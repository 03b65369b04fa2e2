import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { FlaskConical } from 'lucide-react';

import { requireUser } from '@/features/common/auth/session';
import { SimulatorCardForm } from '@/features/common/payments/components/simulator-card-form';
import { cardExpiry, cardName } from '@/features/common/payments/saved-card';
import { getAutoTopUp, type AutoTopUpSettings } from '@/features/common/payments/service/auto-top-up/auto-top-up.service';
import { TEST_CARDS } from '@/features/common/payments/service/auto-top-up/test-cards';
import { CreditsError } from '@/features/common/payments/service/credits-errors';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import { isUuid } from '@/shared/lib/uuid';

export const metadata: Metadata = { title: 'Saved card (simulator)', robots: { index: false } };

/**
 * Plays the part of Stripe Checkout in setup mode and of the customer portal when no Stripe key is
 * configured: save one of the simulator's test cards for auto top-up, or remove the saved one.
 */
export default async function SimulatedCardPage({ searchParams }: PageProps<'/checkout/simulator/card'>) {
  if (getPaymentsGateway().kind !== 'simulator') notFound();
  const { organization } = await searchParams;
  if (organization !== undefined && !isUuid(organization)) notFound();
  const organizationId = organization ?? null;
  const user = await requireUser(`/checkout/simulator/card${organizationId ? `?organization=${organizationId}` : ''}`);
  let settings: AutoTopUpSettings;
  try {
    settings = await getAutoTopUp({ userId: user.id, ...(organizationId && { organizationId }) });
  } catch (error) {
    // Not a member of that organisation (or no such organisation): nothing to show.
    if (error instanceof CreditsError) notFound();
    throw error;
  }
  const cards = TEST_CARDS.map((card) => ({ key: card.key, name: cardName(card), expiry: cardExpiry(card), label: card.label }));
  const saved = settings.card
    ? { name: cardName(settings.card), expiry: cardExpiry(settings.card), key: TEST_CARDS.find((card) => card.last4 === settings.card!.last4)?.key ?? null }
    : null;

  return (
    <main className="flex min-h-dvh items-center justify-center bg-muted px-4 py-10">
      <Card className="w-full max-w-md">
        <CardHeader>
          <p className="mb-2 inline-flex w-fit items-center gap-1.5 rounded-full border border-border bg-background px-2.5 py-0.5 text-xs font-medium text-muted-foreground">
            <FlaskConical className="size-3.5" aria-hidden /> Test mode · payments simulator
          </p>
          <CardTitle asChild className="text-xl">
            <h1>Card for auto top-up</h1>
          </CardTitle>
          <CardDescription>
            The payments simulator stands in for Stripe&apos;s card setup and customer portal until STRIPE_SECRET_KEY is set. Choose how the bank answers
            automatic charges.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <SimulatorCardForm cards={cards} saved={saved} organizationId={organizationId} />
        </CardContent>
      </Card>
    </main>
  );
}
