import type { ReactNode } from 'react';
import Link from 'next/link';

import { appConfig } from '@/config/app';
import { signOutAction } from '@/features/common/auth/actions/sign-in.action';
import { requireUser } from '@/features/common/auth/session';
import { Button } from '@/shared/components/ui/button';

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  const links = [
    { href: '/dashboard', label: 'Overview' },
    ...(user.role === 'admin' ? [{ href: '/dashboard/admin', label: 'Admin' }] : []),
  ];
  return (
    <div className="min-h-dvh">
      <header className="border-b border-border">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-6 py-3">
          <Link href="/" className="font-semibold">
            {appConfig.name}
          </Link>
          <nav aria-label="Dashboard" className="flex flex-1 gap-1">
            {links.map((link) => (
              <Button key={link.href} asChild variant="ghost" size="sm">
                <Link href={link.href}>{link.label}</Link>
              </Button>
            ))}
          </nav>
          <span className="text-sm text-muted-foreground" data-testid="signed-in-as">
            {user.email}
          </span>
          <form action={signOutAction}>
            <Button type="submit" variant="outline" size="sm">
              Sign out
            </Button>
          </form>
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}
