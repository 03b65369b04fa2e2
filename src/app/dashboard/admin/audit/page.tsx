import type { Metadata, Route } from 'next';

import { appConfig } from '@/config/app';
import { findUserByEmail } from '@/features/common/auth/find-users';
import { requireAdmin } from '@/features/common/auth/session';
import { AdminActionsTable } from '@/features/common/payments/components/admin-actions-table';
import { AdminAuditFilters } from '@/features/common/payments/components/admin-audit-filters';
import { CreditsDisabledNotice } from '@/features/common/payments/components/credits-disabled-notice';
import { listAdminActions, listAuditAdmins } from '@/features/common/payments/service/insights/admin-audit';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/shared/components/ui/card';
import { parseCursor, singleParam } from '@/shared/lib/search-params';

export const metadata: Metadata = { title: 'Admin · Audit' };

const PATH = '/dashboard/admin/audit';

/** A value without control characters (NUL would fail the query), else nothing. */
const printable = (value: string | undefined) => (value && !/[\u0000-\u001f\u007f]/u.test(value) ? value : undefined);

function auditHref(filter: { admin?: string; user?: string; cursor?: number }): Route {
  const search = new URLSearchParams();
  if (filter.admin) search.set('admin', filter.admin);
  if (filter.user) search.set('user', filter.user);
  if (filter.cursor) search.set('cursor', String(filter.cursor));
  const query = search.toString();
  return (query ? `${PATH}?${query}` : PATH) as Route;
}

export default async function AdminAuditPage({ searchParams }: PageProps<'/dashboard/admin/audit'>) {
  await requireAdmin();
  if (!appConfig.billing.credits.enabled) {
    return (
      <div className="flex flex-col gap-6">
        <h1 className="text-2xl font-semibold tracking-tight">Audit</h1>
        <CreditsDisabledNotice />
      </div>
    );
  }

  const params = await searchParams;
  const admin = printable(singleParam(params.admin))?.slice(0, 255);
  const userEmail = printable(singleParam(params.user))?.slice(0, 320);
  const cursor = parseCursor(params.cursor);
  const [admins, user] = await Promise.all([listAuditAdmins(), userEmail ? findUserByEmail(userEmail) : null]);
  const page = userEmail && !user ? { items: [], nextCursor: null } : await listAdminActions({ adminId: admin, userId: user?.id, cursor });

  return (
    <div className="flex flex-col gap-8">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Audit</h1>
        <p className="text-muted-foreground">Every change an admin made to credits: grants, corrections and ended lots, with who, on whose wallet and why.</p>
      </div>
      <Card>
        <CardHeader className="gap-4">
          <CardTitle asChild>
            <h2>Admin actions</h2>
          </CardTitle>
          <CardDescription>{userEmail && !user ? `No user with the email ${userEmail}.` : 'Newest first.'}</CardDescription>
          <AdminAuditFilters action={PATH} admins={admins} admin={admin} user={userEmail} />
        </CardHeader>
        <CardContent className="px-2 pb-2">
          <AdminActionsTable
            items={page.items}
            filterHref={(filter) => auditHref({ admin, user: userEmail, ...filter })}
            olderHref={page.nextCursor ? auditHref({ admin, user: userEmail, cursor: page.nextCursor }) : null}
            newestHref={cursor ? auditHref({ admin, user: userEmail }) : null}
          />
        </CardContent>
      </Card>
    </div>
  );
}
