import type { ReactNode } from 'react';

import { requireAdmin } from '@/features/common/auth/session';

// Checked on the server for every admin page: a non-admin gets the 404 page, never a glimpse.
export default async function AdminLayout({ children }: { children: ReactNode }) {
  await requireAdmin();
  return children;
}
