import type { Metadata } from 'next';

import { requireUser } from '@/features/common/auth/session';

export const metadata: Metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  const user = await requireUser();
  return (
    <div className="flex flex-col gap-2">
      <h1 className="text-2xl font-semibold tracking-tight">Welcome{user.name ? `, ${user.name}` : ''}</h1>
      <p className="text-muted-foreground">Signed in as {user.email}.</p>
    </div>
  );
}
