import type { Metadata } from 'next';

import { appConfig } from '@/config/app';
import { requireUser } from '@/features/common/auth/session';
import { CreditsQuickAccess } from '@/features/common/payments/components/credits-quick-access';
import { RunGenerationDemo } from '@/features/examples/generation/components/run-generation-demo';
import { GENERATION_COST } from '@/features/examples/generation/run-generation';
import { StreamAnswerDemo } from '@/features/examples/streaming/components/stream-answer-demo';
import { STREAM_MAX_CREDITS } from '@/features/examples/streaming/stream-answer';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';

export const metadata: Metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  const user = await requireUser();
  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Welcome{user.name ? `, ${user.name}` : ''}</h1>
        <p className="text-muted-foreground">Signed in as {user.email}.</p>
      </div>
      {appConfig.billing.credits.enabled ? (
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
          <Card>
            <CardHeader>
              <CardTitle asChild>
                <h2>Your credits</h2>
              </CardTitle>
              <CardDescription>Bonus credits are spent first.</CardDescription>
            </CardHeader>
            <CardContent>
              <CreditsQuickAccess historyHref="/dashboard/billings/credits" />
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle asChild>
                <h2>Try it: a paid request</h2>
              </CardTitle>
              <CardDescription>
                Each run calls <code className="rounded bg-muted px-1 py-0.5 text-xs">POST /api/examples/generate</code>, which reserves {GENERATION_COST}{' '}
                credits with <code className="rounded bg-muted px-1 py-0.5 text-xs">withCredits</code> and charges them only when the work succeeds (start a
                prompt with <code className="rounded bg-muted px-1 py-0.5 text-xs">/fail</code> to see a failure cost nothing).
              </CardDescription>
            </CardHeader>
            <CardContent>
              <RunGenerationDemo cost={GENERATION_COST} />
            </CardContent>
          </Card>
          <Card className="lg:col-start-2">
            <CardHeader>
              <CardTitle asChild>
                <h2>Try it: charged by the real size</h2>
              </CardTitle>
              <CardDescription>
                <code className="rounded bg-muted px-1 py-0.5 text-xs">POST /api/examples/stream</code> reserves {STREAM_MAX_CREDITS} credits, streams the
                answer, then charges one credit per word delivered and gives back the rest, as you would for an LLM&apos;s tokens.
              </CardDescription>
            </CardHeader>
            <CardContent>
              <StreamAnswerDemo maxCredits={STREAM_MAX_CREDITS} />
            </CardContent>
          </Card>
        </div>
      ) : null}
    </div>
  );
}
