import type { LucideIcon } from 'lucide-react';
import { ActivityIcon, CreditCardIcon, GiftIcon, LockIcon, WalletIcon } from 'lucide-react';

import type { CreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { Card } from '@/shared/components/ui/card';
import { cn } from '@/shared/lib/cn';
import { formatCount } from '@/shared/lib/format-count';

const stats: { key: keyof CreditsBalance; label: string; hint: string; icon: LucideIcon }[] = [
  { key: 'creditsBalance', label: 'Available', hint: 'Purchased + bonus', icon: WalletIcon },
  { key: 'creditsPurchased', label: 'Purchased', hint: 'Bought with checkout', icon: CreditCardIcon },
  { key: 'creditsBonus', label: 'Bonus', hint: 'Spent first', icon: GiftIcon },
  { key: 'creditsUsed', label: 'Used', hint: 'All time', icon: ActivityIcon },
];
const reserved = { key: 'creditsHeld', label: 'Reserved', hint: 'Held for work in progress', icon: LockIcon } as const;

/** The balances as cards; "Reserved" appears while holds are open. */
export function CreditsStats({ balance, className }: { balance: CreditsBalance; className?: string }) {
  const shown = balance.creditsHeld > 0 ? [...stats.slice(0, 3), reserved, stats[3]!] : stats;
  return (
    <div className={cn('grid grid-cols-2 gap-4', shown.length === 5 ? 'lg:grid-cols-5' : 'lg:grid-cols-4', className)}>
      {shown.map(({ key, label, hint, icon: Icon }) => (
        <Card
          key={key}
          role="group"
          aria-label={`${label} credits`}
          className={cn('flex flex-col gap-3 p-5', key === 'creditsBalance' && 'border-primary/40 bg-primary/5')}
        >
          <div className="flex items-center justify-between text-sm text-muted-foreground">
            <span className="font-medium">{label}</span>
            <Icon className={cn('size-4', key === 'creditsBalance' && 'text-primary')} aria-hidden />
          </div>
          <span className="text-3xl font-semibold tracking-tight tabular-nums" data-testid={`credits-${label.toLowerCase()}`}>
            {formatCount(balance[key])}
          </span>
          <span className="text-xs text-muted-foreground">{hint}</span>
        </Card>
      ))}
    </div>
  );
}
