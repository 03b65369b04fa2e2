import type { Metadata } from 'next';

import { listUsers } from '@/features/common/auth/list-users';

export const metadata: Metadata = { title: 'Admin' };

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' });

export default async function AdminPage() {
  const recent = await listUsers({ limit: 20 });
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Admin</h1>
        <p className="text-muted-foreground">The newest accounts.</p>
      </div>
      <div className="overflow-x-auto rounded-xl border border-border">
        <table className="w-full text-sm">
          <thead className="bg-muted text-left text-muted-foreground">
            <tr>
              <th className="px-4 py-2 font-medium">Email</th>
              <th className="px-4 py-2 font-medium">Role</th>
              <th className="px-4 py-2 font-medium">Joined</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((user) => (
              <tr key={user.id} className="border-t border-border">
                <td className="px-4 py-2">{user.email}</td>
                <td className="px-4 py-2 capitalize">{user.role}</td>
                <td className="px-4 py-2">{dateFormat.format(user.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
