'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Loader2Icon } from 'lucide-react';

import { acceptInviteAction } from '@/features/common/payments/actions/organizations.action';
import { ErrorAlert } from '@/shared/components/ui/action-message';
import { Button } from '@/shared/components/ui/button';

/** Accepts the invitation, makes the organisation's wallet the active one and opens the organisation. */
export function AcceptInviteButton({ token, organizationName }: { token: string; organizationName: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function accept() {
    setPending(true);
    setError(null);
    const result = await acceptInviteAction({ token }).catch(() => null);
    if (!result?.ok) {
      setPending(false);
      setError(result?.error.message ?? 'Could not reach the server. Check your connection and try again.');
      return;
    }
    router.push(`/dashboard/organizations/${result.data.organizationId}`);
    router.refresh();
  }

  return (
    <div className="flex flex-col gap-3">
      <ErrorAlert message={error} />
      <Button onClick={accept} disabled={pending}>
        {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : null}
        Join {organizationName}
      </Button>
    </div>
  );
}
