'use client';

import { CreditsStats } from '@/features/common/payments/components/credits-stats';
import type { CreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { useCredits } from '@/features/common/payments/hooks/use-credits';

/**
 * The signed-in user's balances, live: they follow `useCredits()`, so a purchase or a deduction shows
 * without a reload. `initial` (read by the page on the server) fills the first paint.
 */
export function MyCreditsStats({ initial }: { initial: CreditsBalance }) {
  const { creditsBalance, creditsPurchased, creditsBonus, creditsHeld, creditsUsed } = useCredits();
  const live =
    creditsBalance === null || creditsPurchased === null || creditsBonus === null || creditsHeld === null || creditsUsed === null
      ? null
      : { creditsBalance, creditsPurchased, creditsBonus, creditsHeld, creditsUsed };
  return <CreditsStats balance={live ?? initial} />;
}
