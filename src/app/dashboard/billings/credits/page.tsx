import type { Metadata, Route } from 'next';
import Link from 'next/link';

import { appConfig } from '@/config/app';
import { requireUser } from '@/features/common/auth/session';
import { getActiveWallet } from '@/features/common/payments/active-wallet';
import { historySearch, parseHistoryFilters } from '@/features/common/payments/credit-history-filters';
import { forecastCredits } from '@/features/common/payments/credits-forecast';
import { autoTopUpStatusText } from '@/features/common/payments/auto-top-up-text';
import { AutoTopUpCard } from '@/features/common/payments/components/auto-top-up-card';
import { CreditHistoryFilters } from '@/features/common/payments/components/credit-history-filters';
import { CreditTransactionsTable } from '@/features/common/payments/components/credit-transactions-table';
import { CreditLotsCard } from '@/features/common/payments/components/credit-lots-card';
import { CreditsDisabledNotice } from '@/features/common/payments/components/credits-disabled-notice';
import { CreditsFeatureUsageChart } from '@/features/common/payments/components/credits-feature-usage-chart';
import { CreditsFeatureUsageTable } from '@/features/common/payments/components/credits-feature-usage-table';
import { CreditsForecastNote } from '@/features/common/payments/components/credits-forecast';
import { CreditsTopUpButton } from '@/features/common/payments/components/credits-top-up-button';
import { CreditsTopUpOptions } from '@/features/common/payments/components/credits-top-up-options';
import { LowBalanceAlertForm } from '@/features/common/payments/components/low-balance-alert-form';
import { MyCreditsStats } from '@/features/common/payments/components/my-credits-stats';
import { getLowBalanceAlert } from '@/features/common/payments/service/alerts/low-balance';
import { getAutoTopUp } from '@/features/common/payments/service/auto-top-up/auto-top-up.service';
import { getCreditsBalance, listCreditTransactions } from '@/features/common/payments/service/credits-balance.service';
import { getCreditsUsageByFeature } from '@/features/common/payments/service/credits-usage.service';
import { listPurchasesNeedingReview } from '@/features/common/payments/service/fulfilment';
import { listCreditLots } from '@/features/common/payments/service/ledger/lots';
import { purchaseItemName } from '@/features/common/payments/credit-packages';
import { Alert, AlertDescription, AlertTitle } from '@/shared/components/ui/alert';
import { formatMoney } from '@/shared/lib/money';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import { parseCursor } from '@/shared/lib/search-params';

export const metadata: Metadata = { title: 'Credits' };

const PATH = '/dashboard/billings/credits';

export default async function CreditsPage({ searchParams }: PageProps<'/dashboard/billings/credits'>) {
  const user = await requireUser(PATH);
  const params = await searchParams;

  if (!appConfig.billing.credits.enabled) {
    return (
      <div className="flex flex-col gap-6">
        <h1 className="text-2xl font-semibold tracking-tight">Credits</h1>
        <CreditsDisabledNotice />
      </div>
    );
  }

  const cursor = parseCursor(params.cursor);
  const history = parseHistoryFilters(params);
  // The wallet chosen in the header: the user's own, or an organisation's they belong to.
  const { organization } = await getActiveWallet(user.id);
  const organizationId = organization?.id ?? null;
  const canBuy = !organization || organization.role !== 'member';
  const [balance, ledger, usage, underReview, lots, alert, autoTopUp] = await Promise.all([
    getCreditsBalance(user.id, { organizationId }),
    listCreditTransactions(user.id, { cursor, limit: 20, organizationId, ...history.query }),
    getCreditsUsageByFeature(user.id, { organizationId }),
    organization ? [] : listPurchasesNeedingReview({ userId: user.id, limit: 5 }),
    listCreditLots(user.id, { organizationId }),
    // The alert form sets the personal wallet's threshold; an organisation's is set from code for now.
    organization ? null : getLowBalanceAlert({ userId: user.id }),
    appConfig.billing.credits.autoTopUp.enabled ? getAutoTopUp({ userId: user.id, ...(organizationId && { organizationId }) }) : null,
  ]);
  const filtered = Boolean(history.filters.type || history.filters.from || history.filters.to);

  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="flex flex-col gap-1">
          <h1 className="text-2xl font-semibold tracking-tight">{organization ? `${organization.name} credits` : 'Credits'}</h1>
          <p className="text-muted-foreground">
            {organization ? (
              <>
                The organization’s shared wallet: what was bought and what its members spent.{' '}
                <Link href={`/dashboard/organizations/${organization.id}`} className="underline underline-offset-4">
                  Usage per member
                </Link>
              </>
            ) : (
              'Your balance, what you bought and what you spent.'
            )}{' '}
            Bonus credits are always spent first.
          </p>
        </div>
        {canBuy ? <CreditsTopUpButton>Top up</CreditsTopUpButton> : null}
      </div>

      {underReview.map(({ purchase }) => (
        <Alert key={purchase.id} role="status">
          <AlertTitle>A payment is being checked</AlertTitle>
          <AlertDescription>
            Your payment{purchase.amountPaidMinor === null ? '' : ` of ${formatMoney(purchase.amountPaidMinor, purchase.currencyPaid ?? purchase.currency)}`}{' '}
            for {purchaseItemName(purchase)} did not match its price, so we are checking it by hand. You will get the credits or your money back.
          </AlertDescription>
        </Alert>
      ))}

      <MyCreditsStats initial={balance} />

      <CreditLotsCard lots={lots} />

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-5">
        <Card className="lg:col-span-3">
          <CardHeader>
            <CardTitle asChild>
              <h2>Usage</h2>
            </CardTitle>
            <CardDescription>Credits used per day and feature over the last 30 days.</CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <CreditsForecastNote forecast={forecastCredits(balance.creditsBalance, usage.days)} />
            <CreditsFeatureUsageChart report={usage} />
          </CardContent>
        </Card>
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle asChild>
              <h2>Buy credits</h2>
            </CardTitle>
            <CardDescription>One-off packs, no subscription. Use Top up for a custom amount.</CardDescription>
          </CardHeader>
          <CardContent>
            {canBuy ? (
              <CreditsTopUpOptions showManualAmount={false} />
            ) : (
              <p className="text-sm text-muted-foreground">Only the organization’s owners and admins can buy credits for it.</p>
            )}
          </CardContent>
        </Card>
      </div>

      <Card>
        <CardHeader>
          <CardTitle asChild>
            <h2>Where your credits went</h2>
          </CardTitle>
          <CardDescription>Credits used per feature over the last 30 days.</CardDescription>
        </CardHeader>
        <CardContent className="px-2 pb-2 sm:px-2">
          <CreditsFeatureUsageTable report={usage} />
        </CardContent>
      </Card>

      {autoTopUp?.offered ? (
        <Card id="auto-top-up" className="scroll-mt-20">
          <CardHeader>
            <CardTitle asChild>
              <h2>Auto top-up</h2>
            </CardTitle>
            <CardDescription>
              Never run dry: buy a pack with a saved card when the balance falls below a limit, at most as often a month as you allow.
            </CardDescription>
          </CardHeader>
          <CardContent>
            {canBuy ? (
              <AutoTopUpCard
                settings={autoTopUp}
                organizationId={organizationId}
                availableCredits={balance.creditsBalance}
                cardJustSaved={params.card === 'saved'}
              />
            ) : (
              <p className="text-sm text-muted-foreground" data-testid="auto-top-up-status">
                {autoTopUp.enabled || autoTopUp.paused
                  ? `${autoTopUpStatusText(autoTopUp, appConfig.billing.credits.autoTopUp.failuresBeforePause)} Only the organization’s owners and admins can change it.`
                  : 'Auto top-up is off for this organization. Its owners and admins can turn it on.'}
              </p>
            )}
          </CardContent>
        </Card>
      ) : null}

      {alert ? (
        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h2>Low-balance alert</h2>
            </CardTitle>
            <CardDescription>An email before you run out, once each time the balance falls below your limit.</CardDescription>
          </CardHeader>
          <CardContent>
            <LowBalanceAlertForm thresholdCredits={alert.thresholdCredits} suggestedCredits={alert.suggestedCredits} />
          </CardContent>
        </Card>
      ) : null}

      <Card>
        <CardHeader className="pb-2">
          <CardTitle asChild>
            <h2>History</h2>
          </CardTitle>
          <CardDescription>Every change to your balance, newest first.</CardDescription>
        </CardHeader>
        <CardContent className="px-2 pb-2 sm:px-2">
          <CreditHistoryFilters
            action={PATH}
            filters={history.filters}
            problems={history.problems}
            exportHref={`${PATH}/export${historySearch(history.filters, { organization: organizationId ?? undefined })}`}
          />
          <CreditTransactionsTable
            items={ledger.items}
            olderHref={ledger.nextCursor ? (`${PATH}${historySearch(history.filters, { cursor: ledger.nextCursor })}` as Route) : null}
            newestHref={cursor ? (`${PATH}${historySearch(history.filters)}` as Route) : null}
            emptyMessage={filtered ? 'No entries match these filters.' : undefined}
          />
        </CardContent>
      </Card>
    </div>
  );
}
