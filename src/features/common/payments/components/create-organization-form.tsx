'use client';

import { useId, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { Loader2Icon, PlusIcon } from 'lucide-react';

import { createOrganizationAction } from '@/features/common/payments/actions/organizations.action';
import { ErrorAlert } from '@/shared/components/ui/action-message';
import { Button } from '@/shared/components/ui/button';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';

/** Creates an organisation with the signed-in user as owner, makes its wallet the active one and opens it. */
export function CreateOrganizationForm() {
  const id = useId();
  const router = useRouter();
  const [name, setName] = useState('');
  const [billingEmail, setBillingEmail] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!name.trim()) {
      setError('Give the organization a name.');
      return;
    }
    setPending(true);
    setError(null);
    const result = await createOrganizationAction({ name, billingEmail: billingEmail.trim() || undefined }).catch(() => null);
    if (!result?.ok) {
      setPending(false);
      setError(result?.error.message ?? 'Could not reach the server. Check your connection and try again.');
      return;
    }
    router.push(`/dashboard/organizations/${result.data.id}/members`);
    router.refresh();
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-4">
      <ErrorAlert message={error} />
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-name`}>Organization name</Label>
        <Input id={`${id}-name`} value={name} maxLength={100} onChange={(event) => setName(event.target.value)} placeholder="Acme Research" required />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor={`${id}-billing`}>Billing email (optional)</Label>
        <Input
          id={`${id}-billing`}
          type="email"
          value={billingEmail}
          maxLength={320}
          onChange={(event) => setBillingEmail(event.target.value)}
          placeholder="billing@example.com"
          aria-describedby={`${id}-billing-hint`}
        />
        <p id={`${id}-billing-hint`} className="text-xs text-muted-foreground">
          Receipts for the organization’s purchases also go here.
        </p>
      </div>
      <Button type="submit" disabled={pending} className="self-start">
        {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : <PlusIcon aria-hidden />}
        Create organization
      </Button>
    </form>
  );
}
