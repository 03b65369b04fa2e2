import type { Metadata } from 'next';
import Link from 'next/link';
import { BuildingIcon } from 'lucide-react';

import { requireUser } from '@/features/common/auth/session';
import { CreateOrganizationForm } from '@/features/common/payments/components/create-organization-form';
import { listMyOrganizations } from '@/features/common/payments/service/organizations/organizations.service';
import { Badge } from '@/shared/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';

export const metadata: Metadata = { title: 'Organizations' };

export default async function OrganizationsPage() {
  const user = await requireUser('/dashboard/organizations');
  const organizations = await listMyOrganizations(user.id);

  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Organizations</h1>
        <p className="text-muted-foreground">
          An organization has a shared wallet: its owners and admins buy credits for it, and every member spends from it within their monthly cap.
        </p>
      </div>
      <div className="grid items-start gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h2>Your organizations</h2>
            </CardTitle>
            <CardDescription>Switch to an organization’s wallet with the menu in the header.</CardDescription>
          </CardHeader>
          <CardContent>
            {organizations.length === 0 ? (
              <p className="flex items-center gap-2 text-sm text-muted-foreground">
                <BuildingIcon className="size-4" aria-hidden />
                You are not in any organization yet.
              </p>
            ) : (
              <ul aria-label="Your organizations" className="flex flex-col divide-y divide-border">
                {organizations.map((organization) => (
                  <li key={organization.id} className="flex flex-wrap items-center justify-between gap-2 py-3">
                    <span className="flex items-center gap-2">
                      <Link href={`/dashboard/organizations/${organization.id}`} className="font-medium underline-offset-4 hover:underline">
                        {organization.name}
                      </Link>
                      <Badge variant={organization.role === 'member' ? 'secondary' : 'default'} className="capitalize">
                        {organization.role}
                      </Badge>
                    </span>
                    <Link href={`/dashboard/organizations/${organization.id}/members`} className="text-sm text-muted-foreground underline underline-offset-4">
                      Members
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle asChild>
              <h2>Create an organization</h2>
            </CardTitle>
            <CardDescription>You become its owner; its wallet starts empty and becomes your active wallet.</CardDescription>
          </CardHeader>
          <CardContent>
            <CreateOrganizationForm />
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
