import 'server-only';

import { eq, inArray, sql } from 'drizzle-orm';

import { getDb } from '@/shared/db/client';
import { users, type User } from '@/shared/db/schema';

/** The user with this id, or `null`. */
export async function findUserById(id: string): Promise<User | null> {
  const db = await getDb();
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user ?? null;
}

/** The users among `ids` that exist, in no particular order (to name the actors in a ledger, say). */
export async function findUsersByIds(ids: readonly string[]): Promise<User[]> {
  if (ids.length === 0) return [];
  const db = await getDb();
  return db
    .select()
    .from(users)
    .where(inArray(users.id, [...new Set(ids)]));
}

/** The user with this email (compared without case), or `null`. */
export async function findUserByEmail(email: string): Promise<User | null> {
  const db = await getDb();
  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = lower(${email})`)
    .limit(1);
  return user ?? null;
}
