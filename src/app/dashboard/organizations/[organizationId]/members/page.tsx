import type { Metadata } from 'next';
import Link from 'next/link';

import { requireUser } from '@/features/common/auth/session';
import {
  InviteMemberForm,
  LeaveOrganizationButton,
  OrganizationMembersTable,
  PendingInvitesList,
} from '@/features/common/payments/components/organization-members';
import { getOrganizationOr404 } from '@/features/common/payments/organization-page';
import { listPendingInvites } from '@/features/common/payments/service/organizations/invites';
import { listOrganizationMembers } from '@/features/common/payments/service/organizations/organizations.service';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';

export const metadata: Metadata = { title: 'Organization members' };

/** Members, roles and caps; owners and admins also invite people and withdraw invitations. */
export default async function OrganizationMembersPage({ params }: PageProps<'/dashboard/organizations/[organizationId]/members'>) {
  const { organizationId } = await params;
  const user = await requireUser(`/dashboard/organizations/${organizationId}/members`);
  const organization = await getOrganizationOr404(user.id, organizationId);
  const manager = organization.role !== 'member';
  const [members, invites] = await Promise.all([
    listOrganizationMembers(user.id, organization.id),
    manager ? listPendingInvites(user.id, organization.id) : [],
  ]);

  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="flex flex-col gap-1">
          <h1 className="text-2xl font-semibold tracking-tight">{organization.name} · Members</h1>
          <p className="text-muted-foreground">
            {manager
              ? 'Invite people, set roles and give each member a monthly cap on the shared wallet.'
              : 'Who is in the organization, and how much of the shared wallet each has used this month.'}{' '}
            <Link href={`/dashboard/organizations/${organization.id}`} className="underline underline-offset-4">
              Wallet and usage
            </Link>
          </p>
        </div>
        <LeaveOrganizationButton organizationId={organization.id} organizationName={organization.name} />
      </div>

      {manager ? (
        <div className="grid items-start gap-6 lg:grid-cols-2">
          <Card>
            <CardHeader>
              <CardTitle asChild>
                <h2>Invite someone</h2>
              </CardTitle>
              <CardDescription>They get an email with a link; it works once, for the address it was sent to.</CardDescription>
            </CardHeader>
            <CardContent>
              <InviteMemberForm organizationId={organization.id} canInviteOwners={organization.role === 'owner'} />
            </CardContent>
          </Card>
          <Card>
            <CardHeader>
              <CardTitle asChild>
                <h2>Pending invitations</h2>
              </CardTitle>
            </CardHeader>
            <CardContent>
              <PendingInvitesList
                organizationId={organization.id}
                invites={invites.map((invite) => ({ id: invite.id, email: invite.email, role: invite.role, expiresAt: invite.expiresAt.toISOString() }))}
              />
            </CardContent>
          </Card>
        </div>
      ) : null}

      <Card>
        <CardHeader>
          <CardTitle asChild>
            <h2>Members</h2>
          </CardTitle>
          <CardDescription>
            A cap limits what a member may spend from the wallet each calendar month (UTC); leave it empty for no cap. Changes apply to the next request.
          </CardDescription>
        </CardHeader>
        <CardContent className="px-2 pb-2">
          <OrganizationMembersTable
            organizationId={organization.id}
            viewerId={user.id}
            viewerRole={organization.role}
            members={members.map(({ userId, email, role, monthlyCap, usedThisMonth }) => ({ userId, email, role, monthlyCap, usedThisMonth }))}
          />
        </CardContent>
      </Card>
    </div>
  );
}
