'use client';

import { createContext, useContext, type ReactNode } from 'react';

const ActiveWalletContext = createContext<string | null>(null);

/**
 * Names the wallet (an organisation's id, or null for the user's own) that `useCredits()` and the
 * credits components below it follow when not told otherwise. The dashboard layout sets it from the
 * server-validated active wallet; without a provider it is the personal wallet.
 */
export function ActiveWalletProvider({ organizationId, children }: { organizationId: string | null; children: ReactNode }) {
  return <ActiveWalletContext.Provider value={organizationId}>{children}</ActiveWalletContext.Provider>;
}

/** The active organisation's id, or null for the personal wallet. */
export function useActiveOrganizationId(): string | null {
  return useContext(ActiveWalletContext);
}
