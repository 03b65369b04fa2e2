import Link from 'next/link';
import { Coins, Gift, ShieldCheck } from 'lucide-react';

import { appConfig } from '@/config/app';
import { getSessionUser } from '@/features/common/auth/session';
import { Button } from '@/shared/components/ui/button';

const features = [
  { icon: Coins, title: 'Prepaid credit packs', text: 'Users top up through Stripe Checkout; credits land once, even when Stripe retries.' },
  { icon: Gift, title: 'Bonus credits first', text: 'Promotional credits are spent before paid ones, in one atomic step that cannot overdraw.' },
  { icon: ShieldCheck, title: 'A ledger you can audit', text: 'Every change is an append-only entry; balances always equal the sum of their entries.' },
];

export default async function LandingPage() {
  const user = await getSessionUser();
  return (
    <main className="mx-auto flex min-h-dvh max-w-5xl flex-col px-6">
      <header className="flex items-center justify-between py-6">
        <span className="font-semibold">{appConfig.name}</span>
        <Button asChild variant="outline" size="sm">
          <Link href={user ? '/dashboard' : '/sign-in'}>{user ? 'Dashboard' : 'Sign in'}</Link>
        </Button>
      </header>
      <section className="flex flex-1 flex-col items-center justify-center gap-6 py-20 text-center">
        <h1 className="max-w-2xl text-4xl font-bold tracking-tight sm:text-5xl">Pay for what you use, one credit at a time.</h1>
        <p className="max-w-xl text-lg text-muted-foreground">
          Buy a credit pack, spend it on the work you need, top up whenever you like. No subscription.
        </p>
        <Button asChild size="lg">
          <Link href={user ? '/dashboard' : '/sign-in'}>{user ? 'Go to your dashboard' : 'Get started'}</Link>
        </Button>
      </section>
      <section className="grid grid-cols-1 gap-4 pb-20 sm:grid-cols-3">
        {features.map(({ icon: Icon, title, text }) => (
          <div key={title} className="rounded-xl border border-border p-6">
            <Icon className="mb-3 size-5 text-primary" aria-hidden />
            <h2 className="mb-1 font-medium">{title}</h2>
            <p className="text-sm text-muted-foreground">{text}</p>
          </div>
        ))}
      </section>
    </main>
  );
}
