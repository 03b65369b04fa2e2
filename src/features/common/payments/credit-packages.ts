import { appConfig } from '@/config/app';
import type { CreditPackage } from '@/config/app-config.schema';
import { formatCount } from '@/shared/lib/format-count';

/** The configured package with this id, if any. */
export function findCreditPackage(id: string | null): CreditPackage | undefined {
  return appConfig.billing.credits.packages.find((pkg) => pkg.id === id);
}

/** What a purchase is called for people: its package's name, or "1,234 credits" for a manual amount. */
export function purchaseItemName(purchase: { packageId: string | null; credits: number }): string {
  return findCreditPackage(purchase.packageId)?.name ?? `${formatCount(purchase.credits)} credits`;
}
