import type { LedgerBalances } from '@/features/common/payments/service/ledger/ledger';

export interface CreditsBalance {
  /** What can be spent now: purchased + bonus, without held or expired credits. */
  creditsBalance: number;
  creditsPurchased: number;
  creditsBonus: number;
  /** Reserved by open holds: not spendable until they are settled, released or expire. */
  creditsHeld: number;
  /** Everything spent so far. */
  creditsUsed: number;
}

/** The balances as callers see them. */
export function toCreditsBalance(balances: LedgerBalances): CreditsBalance {
  return {
    creditsBalance: balances.purchased + balances.bonus,
    creditsPurchased: balances.purchased,
    creditsBonus: balances.bonus,
    creditsHeld: balances.held,
    creditsUsed: balances.used,
  };
}
