import 'server-only';

import type { z } from 'zod';

import { getSessionUser, type SessionUser } from '@/features/common/auth/session';
import type { ActionError, ActionResult } from '@/shared/lib/action-result';
import { toDatabaseUnavailable } from '@/shared/db/database-unavailable';
import { AppError } from '@/shared/lib/app-error';

/**
 * Maps a typed error to the `{ ok: false }` a server action returns; `null` for bugs. A database that
 * is unavailable (unreachable, connection dropped, deadline passed) is `DATABASE_UNAVAILABLE`.
 */
export function toActionError(error: unknown): ActionError | null {
  if (!(error instanceof AppError)) error = toDatabaseUnavailable(error);
  if (!(error instanceof AppError)) return null;
  return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
}

type Guard = (user: SessionUser | null) => user is SessionUser;
const signedIn: Guard = (user): user is SessionUser => user !== null;
const admin: Guard = (user): user is SessionUser => user?.role === 'admin';

function validatedAction<Schema extends z.ZodType, Result>(
  guard: Guard,
  schema: Schema,
  body: (input: z.output<Schema>, user: SessionUser) => Promise<Result>,
) {
  return async (input: z.input<Schema>): Promise<ActionResult<Result>> => {
    let user: SessionUser | null;
    try {
      user = await getSessionUser();
    } catch (error) {
      const expected = toActionError(error);
      if (expected) return { ok: false, error: expected };
      throw error;
    }
    if (!guard(user)) {
      return { ok: false, error: { code: user ? 'FORBIDDEN' : 'UNAUTHENTICATED', message: user ? 'You are not allowed to do that.' : 'Sign in first.' } };
    }
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, error: { code: 'INVALID_INPUT', message: issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'Invalid input.' } };
    }
    try {
      return { ok: true, data: await body(parsed.data, user) };
    } catch (error) {
      const expected = toActionError(error);
      if (expected) return { ok: false, error: expected };
      throw error;
    }
  };
}

/** A server action for signed-in users: checks the session, parses the input, maps typed errors. */
export const validatedActionWithUser = <Schema extends z.ZodType, Result>(
  schema: Schema,
  body: (input: z.output<Schema>, user: SessionUser) => Promise<Result>,
) => validatedAction(signedIn, schema, body);

/** The same, for admins only: anyone else gets FORBIDDEN (or UNAUTHENTICATED) and nothing runs. */
export const validatedActionWithAdmin = <Schema extends z.ZodType, Result>(
  schema: Schema,
  body: (input: z.output<Schema>, user: SessionUser) => Promise<Result>,
) => validatedAction(admin, schema, body);
