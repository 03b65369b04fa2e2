import type { LucideIcon } from 'lucide-react';
import { ActivityIcon, CreditCardIcon, GiftIcon, WalletIcon } from 'lucide-react';

import type { CreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { Card } from '@/shared/components/ui/card';
import { Skeleton } from '@/shared/components/ui/skeleton';
import { cn } from '@/shared/lib/cn';

const count = new Intl.NumberFormat('en-US');

const stats: { key: keyof CreditsBalance; label: string; hint: string; icon: LucideIcon }[] = [
  { key: 'creditsBalance', label: 'Available', hint: 'Purchased + bonus', icon: WalletIcon },
  { key: 'creditsPurchased', label: 'Purchased', hint: 'Bought with checkout', icon: CreditCardIcon },
  { key: 'creditsBonus', label: 'Bonus', hint: 'Spent first', icon: GiftIcon },
  { key: 'creditsUsed', label: 'Used', hint: 'All time', icon: ActivityIcon },
];

/** The four balances as cards; `null` shows placeholders while they load. */
export function CreditsStats({ balance, className }: { balance: CreditsBalance | null; className?: string }) {
  return (
    <div className={cn('grid grid-cols-2 gap-4 lg:grid-cols-4', className)}>
      {stats.map(({ key, label, hint, icon: Icon }) => (
        <Card
          key={key}
          role="group"
          aria-label={`${label} credits`}
          aria-busy={balance === null || undefined}
          className={cn('flex flex-col gap-3 p-5', key === 'creditsBalance' && 'border-primary/40 bg-primary/5')}
        >
          <div className="flex items-center justify-between text-sm text-muted-foreground">
            <span className="font-medium">{label}</span>
            <Icon className={cn('size-4', key === 'creditsBalance' && 'text-primary')} aria-hidden />
          </div>
          {balance === null ? (
            <Skeleton className="h-8 w-24" />
          ) : (
            <span className="text-3xl font-semibold tracking-tight tabular-nums" data-testid={`credits-${label.toLowerCase()}`}>
              {count.format(balance[key])}
            </span>
          )}
          <span className="text-xs text-muted-foreground">{hint}</span>
        </Card>
      ))}
    </div>
  );
}
