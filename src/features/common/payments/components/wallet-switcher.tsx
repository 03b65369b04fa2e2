'use client';

import { useId, useTransition } from 'react';
import { useRouter } from 'next/navigation';

import { selectActiveWallet } from '@/features/common/payments/actions/organizations.action';
import { toast } from '@/shared/components/ui/toaster';
import { cn } from '@/shared/lib/cn';

export interface WalletChoice {
  id: string;
  name: string;
}

/**
 * The header's wallet switcher: the user's own wallet or one of their organisations'. The choice is
 * stored server-side (a cookie checked against membership on every request) and the page re-renders,
 * so the badge, credits page, top-up and the example routes all follow it.
 */
export function WalletSwitcher({ organizations, activeId }: { organizations: WalletChoice[]; activeId: string | null }) {
  const id = useId();
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  function choose(value: string) {
    startTransition(async () => {
      const result = await selectActiveWallet({ organizationId: value || null }).catch(() => null);
      if (!result?.ok) {
        toast.error('Could not switch wallets', { description: result?.error.message ?? 'Check your connection and try again.' });
        return;
      }
      router.refresh();
    });
  }

  if (organizations.length === 0) return null;
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="sr-only">
        Wallet
      </label>
      <select
        id={id}
        data-testid="wallet-switcher"
        value={activeId ?? ''}
        disabled={pending}
        onChange={(event) => choose(event.target.value)}
        className={cn(
          'h-8 max-w-48 truncate rounded-md border border-input bg-background px-2 text-sm shadow-xs',
          'focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none disabled:opacity-60',
        )}
      >
        <option value="">Personal wallet</option>
        {organizations.map((organization) => (
          <option key={organization.id} value={organization.id}>
            {organization.name}
          </option>
        ))}
      </select>
    </div>
  );
}
