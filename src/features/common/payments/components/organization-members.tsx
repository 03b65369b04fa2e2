'use client';

import { useId, useState, useTransition, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { Loader2Icon, MailPlusIcon } from 'lucide-react';

import {
  inviteMemberAction,
  leaveOrganizationAction,
  removeMemberAction,
  revokeInviteAction,
  setMemberCapAction,
  setMemberRoleAction,
} from '@/features/common/payments/actions/organizations.action';
import { ErrorAlert } from '@/shared/components/ui/action-message';
import { Alert, AlertDescription } from '@/shared/components/ui/alert';
import { Badge } from '@/shared/components/ui/badge';
import { Button } from '@/shared/components/ui/button';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/shared/components/ui/table';
import { toast } from '@/shared/components/ui/toaster';
import type { ActionResult } from '@/shared/lib/action-result';
import { formatCount } from '@/shared/lib/format-count';

type Role = 'owner' | 'admin' | 'member';

const selectClass =
  'h-8 rounded-md border border-input bg-background px-2 text-sm shadow-xs focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none disabled:opacity-60';

/** Runs an organisation action, shows a refusal as a toast, and re-renders the page on success. */
function useOrganizationAction() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  function run<T>(call: () => Promise<ActionResult<T>>, success?: string, after?: (data: T) => void) {
    startTransition(async () => {
      const result = await call().catch(() => null);
      if (!result?.ok) {
        toast.error(result?.error.message ?? 'Could not reach the server. Check your connection and try again.');
        return;
      }
      if (success) toast.success(success);
      after?.(result.data);
      router.refresh();
    });
  }
  return { pending, run };
}

/** Invites someone by email; they get a link that works once, for a week. Owners and admins. */
export function InviteMemberForm({ organizationId, canInviteOwners }: { organizationId: string; canInviteOwners: boolean }) {
  const id = useId();
  const router = useRouter();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    setSent(null);
    const result = await inviteMemberAction({ organizationId, email: email.trim(), role }).catch(() => null);
    setPending(false);
    if (!result?.ok) {
      setError(result?.error.message ?? 'Could not reach the server. Check your connection and try again.');
      return;
    }
    setSent(email.trim());
    setEmail('');
    router.refresh();
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-3">
      <ErrorAlert message={error} />
      {sent ? (
        <Alert variant="success" role="status">
          <AlertDescription>Invitation sent to {sent}. The link works for 7 days.</AlertDescription>
        </Alert>
      ) : null}
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <div className="flex flex-1 flex-col gap-2">
          <Label htmlFor={`${id}-email`}>Email address</Label>
          <Input
            id={`${id}-email`}
            type="email"
            value={email}
            maxLength={320}
            autoComplete="off"
            onChange={(event) => setEmail(event.target.value)}
            placeholder="teammate@example.com"
            required
          />
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor={`${id}-role`}>Role</Label>
          <select id={`${id}-role`} value={role} onChange={(event) => setRole(event.target.value as Role)} className={`${selectClass} h-9`}>
            <option value="member">Member</option>
            <option value="admin">Admin</option>
            {canInviteOwners ? <option value="owner">Owner</option> : null}
          </select>
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? <Loader2Icon className="animate-spin" aria-hidden /> : <MailPlusIcon aria-hidden />}
          Send invitation
        </Button>
      </div>
    </form>
  );
}

export interface PendingInviteRow {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
}

/** Invitations not yet accepted, each with a button that withdraws it. */
export function PendingInvitesList({ organizationId, invites }: { organizationId: string; invites: PendingInviteRow[] }) {
  const { pending, run } = useOrganizationAction();
  if (invites.length === 0) return <p className="text-sm text-muted-foreground">No pending invitations.</p>;
  return (
    <ul aria-label="Pending invitations" className="flex flex-col divide-y divide-border">
      {invites.map((invite) => (
        <li key={invite.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
          <span className="flex flex-col">
            <span className="font-medium">{invite.email}</span>
            <span className="text-xs text-muted-foreground">
              <span className="capitalize">{invite.role}</span> · expires {new Date(invite.expiresAt).toLocaleDateString('en-US', { dateStyle: 'medium' })}
            </span>
          </span>
          <Button
            variant="outline"
            size="sm"
            disabled={pending}
            aria-label={`Revoke the invitation to ${invite.email}`}
            onClick={() => run(() => revokeInviteAction({ organizationId, inviteId: invite.id }), `Invitation to ${invite.email} revoked`)}
          >
            Revoke
          </Button>
        </li>
      ))}
    </ul>
  );
}

export interface MemberRow {
  userId: string;
  email: string | null;
  role: Role;
  monthlyCap: number | null;
  usedThisMonth: number;
}

/**
 * The members with their role, this month's use and cap. Owners and admins (`viewerRole`) change
 * roles and caps and remove members; the server checks again, so hiding the controls is a courtesy.
 */
export function OrganizationMembersTable({
  organizationId,
  members,
  viewerId,
  viewerRole,
}: {
  organizationId: string;
  members: MemberRow[];
  viewerId: string;
  viewerRole: Role;
}) {
  const manager = viewerRole !== 'member';
  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Member</TableHead>
          <TableHead>Role</TableHead>
          <TableHead className="text-right">Used this month</TableHead>
          <TableHead>Monthly cap</TableHead>
          {manager ? (
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          ) : null}
        </TableRow>
      </TableHeader>
      <TableBody>
        {members.map((member) => (
          <MemberTableRow key={member.userId} organizationId={organizationId} member={member} self={member.userId === viewerId} viewerRole={viewerRole} />
        ))}
      </TableBody>
    </Table>
  );
}

function MemberTableRow({ organizationId, member, self, viewerRole }: { organizationId: string; member: MemberRow; self: boolean; viewerRole: Role }) {
  const id = useId();
  const { pending, run } = useOrganizationAction();
  const [capText, setCapText] = useState(member.monthlyCap === null ? '' : String(member.monthlyCap));
  const [capError, setCapError] = useState<string | null>(null);
  const manager = viewerRole !== 'member';
  // Only owners make, unmake or remove owners.
  const canTouch = manager && (viewerRole === 'owner' || member.role !== 'owner');
  const label = member.email ?? member.userId;

  function saveCap(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = capText.trim();
    if (text !== '' && !/^\d+$/.test(text)) {
      setCapError('Enter a whole number of credits, or leave it empty for no cap.');
      return;
    }
    setCapError(null);
    const monthlyCap = text === '' ? null : Number(text);
    run(
      () => setMemberCapAction({ organizationId, memberId: member.userId, monthlyCap }),
      monthlyCap === null ? `Cap cleared for ${label}` : `Cap for ${label} set to ${formatCount(monthlyCap)} credits a month`,
    );
  }

  return (
    <TableRow data-testid="member-row">
      <TableCell className="font-medium">
        {label}
        {self ? <span className="ml-1 text-muted-foreground">(you)</span> : null}
      </TableCell>
      <TableCell>
        {canTouch ? (
          <>
            <label htmlFor={`${id}-role`} className="sr-only">
              Role of {label}
            </label>
            <select
              id={`${id}-role`}
              value={member.role}
              disabled={pending}
              className={selectClass}
              onChange={(event) => {
                const role = event.target.value as Role;
                run(() => setMemberRoleAction({ organizationId, memberId: member.userId, role }), `${label} is now ${role === 'admin' ? 'an' : 'a'} ${role}`);
              }}
            >
              <option value="member">Member</option>
              <option value="admin">Admin</option>
              {viewerRole === 'owner' ? <option value="owner">Owner</option> : null}
            </select>
          </>
        ) : (
          <Badge variant={member.role === 'member' ? 'secondary' : 'default'} className="capitalize">
            {member.role}
          </Badge>
        )}
      </TableCell>
      <TableCell className="text-right tabular-nums">{formatCount(member.usedThisMonth)}</TableCell>
      <TableCell>
        {manager ? (
          <form onSubmit={saveCap} noValidate className="flex flex-col gap-1">
            <div className="flex items-center gap-2">
              <label htmlFor={`${id}-cap`} className="sr-only">
                Monthly cap for {label}
              </label>
              <Input
                id={`${id}-cap`}
                inputMode="numeric"
                className="h-8 w-28 tabular-nums"
                placeholder="No cap"
                value={capText}
                onChange={(event) => setCapText(event.target.value)}
                aria-invalid={capError ? true : undefined}
                aria-describedby={capError ? `${id}-cap-error` : undefined}
              />
              <Button type="submit" variant="outline" size="sm" disabled={pending} aria-label={`Save the cap for ${label}`}>
                Save
              </Button>
            </div>
            {capError ? (
              <p id={`${id}-cap-error`} className="text-xs text-destructive">
                {capError}
              </p>
            ) : null}
          </form>
        ) : member.monthlyCap === null ? (
          <span className="text-muted-foreground">No cap</span>
        ) : (
          <span className="tabular-nums">{formatCount(member.monthlyCap)}</span>
        )}
      </TableCell>
      {manager ? (
        <TableCell className="text-right">
          {canTouch && !self ? (
            <Button
              variant="outline"
              size="sm"
              disabled={pending}
              aria-label={`Remove ${label}`}
              onClick={() => {
                if (window.confirm(`Remove ${label} from the organization? They can no longer spend from its wallet.`)) {
                  run(() => removeMemberAction({ organizationId, memberId: member.userId }), `${label} removed`);
                }
              }}
            >
              Remove
            </Button>
          ) : null}
        </TableCell>
      ) : null}
    </TableRow>
  );
}

/** Leaves the organisation: the user can no longer spend from its wallet, and theirs becomes the active one. */
export function LeaveOrganizationButton({ organizationId, organizationName }: { organizationId: string; organizationName: string }) {
  const router = useRouter();
  const { pending, run } = useOrganizationAction();
  return (
    <Button
      variant="outline"
      disabled={pending}
      onClick={() => {
        if (window.confirm(`Leave ${organizationName}? You will no longer be able to spend from its wallet.`)) {
          run(
            () => leaveOrganizationAction({ organizationId }),
            `You left ${organizationName}`,
            () => router.push('/dashboard/organizations'),
          );
        }
      }}
    >
      Leave organization
    </Button>
  );
}
