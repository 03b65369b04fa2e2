'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Loader2Icon } from 'lucide-react';

import { creditReviewedPurchase } from '@/features/common/payments/actions/admin-credits.action';
import { Button } from '@/shared/components/ui/button';
import { toast } from '@/shared/components/ui/toaster';

/** "Credit anyway" for one purchase held for review; the server checks again that the caller is an admin. */
export function CreditReviewedPurchaseButton({ purchaseId, label }: { purchaseId: string; label: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);

  async function onClick() {
    setPending(true);
    try {
      const result = await creditReviewedPurchase({ purchaseId });
      if (result.ok) toast.success(`Credited: ${label}`);
      else toast.error(result.error.message);
      router.refresh();
    } catch {
      toast.error('Could not reach the server. Try again.');
    } finally {
      setPending(false);
    }
  }

  return (
    <Button size="sm" variant="secondary" onClick={onClick} disabled={pending} aria-label={`Credit anyway: ${label}`}>
      {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
      Credit anyway
    </Button>
  );
}
