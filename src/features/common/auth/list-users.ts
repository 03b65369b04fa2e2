import 'server-only';

import { desc, ilike } from 'drizzle-orm';

import { getDb } from '@/shared/db/client';
import { users, type User } from '@/shared/db/schema';

/** Users newest first, optionally those whose email contains `emailQuery`. */
export async function listUsers(options: { emailQuery?: string; limit?: number } = {}): Promise<User[]> {
  const db = await getDb();
  const query = options.emailQuery?.trim();
  return db
    .select()
    .from(users)
    .where(query ? ilike(users.email, `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : undefined)
    .orderBy(desc(users.createdAt))
    .limit(options.limit ?? 50);
}
