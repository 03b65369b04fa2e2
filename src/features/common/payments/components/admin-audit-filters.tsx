import { FilterIcon } from 'lucide-react';

import { Button } from '@/shared/components/ui/button';
import { Input } from '@/shared/components/ui/input';
import { Label } from '@/shared/components/ui/label';

export interface AdminAuditFiltersProps {
  action: string;
  admins: { id: string; email: string | null }[];
  admin?: string;
  /** A user's email. */
  user?: string;
}

/** Filters for the audit list, as a plain GET form: by the admin who acted and the user acted on. */
export function AdminAuditFilters({ action, admins, admin, user }: AdminAuditFiltersProps) {
  return (
    <form action={action} method="get" aria-label="Filter admin actions" className="flex flex-wrap items-end gap-3">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="audit-admin">Admin</Label>
        <select
          id="audit-admin"
          name="admin"
          defaultValue={admin ?? ''}
          className="flex h-9 rounded-md border border-input bg-background px-3 py-1 text-sm shadow-xs focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
        >
          <option value="">All admins</option>
          {admins.map((a) => (
            <option key={a.id} value={a.id}>
              {a.email ?? a.id}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="audit-user">User’s email</Label>
        <Input id="audit-user" name="user" type="email" defaultValue={user} placeholder="name@example.com" className="w-64" autoComplete="off" />
      </div>
      <Button type="submit" variant="secondary">
        <FilterIcon aria-hidden />
        Filter
      </Button>
      {admin || user ? (
        <Button asChild variant="ghost">
          <a href={action}>Clear filters</a>
        </Button>
      ) : null}
    </form>
  );
}
