import { Suspense, type ReactNode } from 'react';
import type { Route } from 'next';
import Link from 'next/link';
import { CoinsIcon } from 'lucide-react';

import { appConfig } from '@/config/app';
import { signOutAction } from '@/features/common/auth/actions/sign-in.action';
import { requireUser } from '@/features/common/auth/session';
import { getActiveWallet } from '@/features/common/payments/active-wallet';
import { ActiveWalletProvider } from '@/features/common/payments/components/active-wallet-provider';
import { BillingReturnNotice } from '@/features/common/payments/components/billing-return-notice';
import { CreditsBalanceBadge } from '@/features/common/payments/components/credits-balance-badge';
import { WalletSwitcher } from '@/features/common/payments/components/wallet-switcher';
import { NavLink } from '@/shared/components/nav-link';
import { Button } from '@/shared/components/ui/button';

// Every dashboard page is per user: never prerendered, so `next build` never opens the database (on
// the embedded one that would hold its lock while the build's workers live).
export const dynamic = 'force-dynamic';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const creditsOn = appConfig.billing.credits.enabled;
  const wallet = creditsOn ? await getActiveWallet(user.id) : { organization: null, organizations: [] };
  const links: { href: Route; label: string; exact?: boolean }[] = [
    { href: '/dashboard', label: 'Overview', exact: true },
    ...(creditsOn ? [{ href: '/dashboard/billings/credits' as const, label: 'Credits' }] : []),
    ...(creditsOn ? [{ href: '/dashboard/organizations' as const, label: 'Organizations' }] : []),
    ...(user.role === 'admin'
      ? [
          { href: '/dashboard/admin' as const, label: 'Admin', exact: true },
          ...(creditsOn
            ? [
                { href: '/dashboard/admin/credits' as const, label: 'Admin credits' },
                { href: '/dashboard/admin/books' as const, label: 'Books' },
                { href: '/dashboard/admin/audit' as const, label: 'Audit' },
              ]
            : []),
        ]
      : []),
  ];
  return (
    <ActiveWalletProvider organizationId={wallet.organization?.id ?? null}>
      <div className="min-h-dvh">
        <header className="sticky top-0 z-40 border-b border-border bg-background/85 backdrop-blur supports-[backdrop-filter]:bg-background/70">
          <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-6 py-3">
            <Link href="/" className="flex items-center gap-2 font-semibold">
              <CoinsIcon className="size-5 text-primary" aria-hidden />
              {appConfig.name}
            </Link>
            <nav aria-label="Dashboard" className="flex flex-1 flex-wrap gap-1">
              {links.map((link) => (
                <NavLink key={link.href} href={link.href} exact={link.exact}>
                  {link.label}
                </NavLink>
              ))}
            </nav>
            <div className="flex items-center gap-3">
              {creditsOn ? (
                <WalletSwitcher organizations={wallet.organizations.map(({ id, name }) => ({ id, name }))} activeId={wallet.organization?.id ?? null} />
              ) : null}
              {creditsOn ? <CreditsBalanceBadge href="/dashboard/billings/credits" /> : null}
              <span className="hidden text-sm text-muted-foreground sm:inline" data-testid="signed-in-as">
                {user.email}
              </span>
              <form action={signOutAction}>
                <Button type="submit" variant="outline" size="sm">
                  Sign out
                </Button>
              </form>
            </div>
          </div>
        </header>
        <main className="mx-auto max-w-6xl px-6 py-8">
          {/* Checkout returns to whichever page started it, so every dashboard page handles the return. */}
          {creditsOn ? (
            <Suspense>
              <BillingReturnNotice />
            </Suspense>
          ) : null}
          {children}
        </main>
      </div>
    </ActiveWalletProvider>
  );
}
