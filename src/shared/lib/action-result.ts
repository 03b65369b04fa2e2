/**
 * What a server action returns: expected failures (bad input, not enough credits …) come back as
 * `{ ok: false, error }` for the UI to show; bugs are thrown.
 */
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

export interface ActionError {
  code: string;
  message: string;
  /** Extra facts for the UI, e.g. `required` and `available` for INSUFFICIENT_CREDITS. */
  details?: Record<string, unknown>;
}
