import type { Metadata } from 'next';
import Link from 'next/link';

import { requireUser } from '@/features/common/auth/session';
import { CreditsStats } from '@/features/common/payments/components/credits-stats';
import { getOrganizationOr404 } from '@/features/common/payments/organization-page';
import { getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { listOrganizationMembers } from '@/features/common/payments/service/organizations/organizations.service';
import { Badge } from '@/shared/components/ui/badge';
import { Button } from '@/shared/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/shared/components/ui/table';
import { formatCount } from '@/shared/lib/format-count';

export const metadata: Metadata = { title: 'Organization credits' };

const monthFormat = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** An organisation's wallet and what each member spent from it this month, against their cap. */
export default async function OrganizationCreditsPage({ params }: PageProps<'/dashboard/organizations/[organizationId]'>) {
  const { organizationId } = await params;
  const user = await requireUser(`/dashboard/organizations/${organizationId}`);
  const organization = await getOrganizationOr404(user.id, organizationId);
  const [balance, members] = await Promise.all([
    getCreditsBalance(user.id, { organizationId: organization.id }),
    listOrganizationMembers(user.id, organization.id),
  ]);

  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="flex flex-col gap-1">
          <h1 className="text-2xl font-semibold tracking-tight">{organization.name}</h1>
          <p className="text-muted-foreground">
            The organization’s shared wallet. You are {organization.role === 'admin' ? 'an' : 'a'} {organization.role}.
          </p>
        </div>
        <Button asChild variant="outline">
          <Link href={`/dashboard/organizations/${organization.id}/members`}>{organization.role === 'member' ? 'Members' : 'Manage members'}</Link>
        </Button>
      </div>

      <CreditsStats balance={balance} />

      <Card>
        <CardHeader>
          <CardTitle asChild>
            <h2>Usage per member</h2>
          </CardTitle>
          <CardDescription>
            Credits each member spent (or has reserved) from this wallet in {monthFormat.format(new Date())} (UTC), against their monthly cap.
          </CardDescription>
        </CardHeader>
        <CardContent className="px-2 pb-2">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Member</TableHead>
                <TableHead>Role</TableHead>
                <TableHead className="text-right">Used this month</TableHead>
                <TableHead className="text-right">Monthly cap</TableHead>
                <TableHead className="text-right">Left</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {members.map((member) => (
                <TableRow key={member.userId} data-testid="member-usage-row">
                  <TableCell className="font-medium">{member.email ?? member.userId}</TableCell>
                  <TableCell>
                    <Badge variant={member.role === 'member' ? 'secondary' : 'default'} className="capitalize">
                      {member.role}
                    </Badge>
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{formatCount(member.usedThisMonth)}</TableCell>
                  <TableCell className="text-right tabular-nums">{member.monthlyCap === null ? 'No cap' : formatCount(member.monthlyCap)}</TableCell>
                  <TableCell className="text-right tabular-nums">
                    {member.monthlyCap === null ? '—' : formatCount(Math.max(0, member.monthlyCap - member.usedThisMonth))}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
    </div>
  );
}
