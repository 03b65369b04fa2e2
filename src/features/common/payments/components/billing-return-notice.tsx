'use client';

import { useEffect, useRef } from 'react';
import { useRouter, useSearchParams } from 'next/navigation';
import { InfoIcon } from 'lucide-react';

import { forgetPurchasedBeforeCheckout, purchasedBeforeCheckout, useCredits } from '@/features/common/payments/hooks/use-credits';
import { Alert, AlertDescription, AlertTitle } from '@/shared/components/ui/alert';
import { toast } from '@/shared/components/ui/toaster';
import { formatCount } from '@/shared/lib/format-count';

const POLL_EVERY_MS = 1500;
const POLL_FOR_MS = 60_000;
const TOAST_ID = 'billing-return';

/**
 * What a page says when checkout sends the buyer back to it with `?billing=success` or
 * `?billing=cancel` (what `topUp` asks for by default); mount it once in a layout.
 *
 * Stripe's webhook can land after the redirect, so on success the balance keeps refreshing until the
 * purchased credits grow past what they were before checkout, for up to a minute; then the page's
 * server-rendered parts (history, chart) are refreshed too. "Before checkout" is what this tab saved
 * as it left for checkout, else the first balance read here.
 */
export function BillingReturnNotice() {
  const status = useSearchParams().get('billing');
  const { refresh } = useCredits();
  const router = useRouter();
  // Read once per mount, so React's development double-run of effects sees the same value.
  const saved = useRef<number | null | undefined>(undefined);

  useEffect(() => {
    if (status !== 'success' && status !== 'cancel') return;
    if (saved.current === undefined) {
      saved.current = purchasedBeforeCheckout();
      forgetPurchasedBeforeCheckout();
    }
    if (status !== 'success') return;

    toast.success('Payment received', { id: TOAST_ID, description: 'Your balance updates as soon as the payment is confirmed.' });
    let before = saved.current;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = Date.now() + POLL_FOR_MS;
    const poll = async () => {
      const balance = await refresh();
      if (stopped) return;
      if (balance) {
        before ??= balance.creditsPurchased;
        if (balance.creditsPurchased > before) {
          toast.success(`${formatCount(balance.creditsPurchased - before)} credits added`, {
            id: TOAST_ID,
            description: `You now have ${formatCount(balance.creditsBalance)} credits.`,
          });
          router.refresh();
          return;
        }
      }
      if (Date.now() < deadline) timer = setTimeout(poll, POLL_EVERY_MS);
    };
    timer = setTimeout(poll, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [status, refresh, router]);

  if (status !== 'cancel') return null;
  return (
    <Alert variant="info" role="status" className="mb-6">
      <InfoIcon aria-hidden />
      <AlertTitle>Checkout cancelled</AlertTitle>
      <AlertDescription>You were not charged and your balance has not changed.</AlertDescription>
    </Alert>
  );
}
