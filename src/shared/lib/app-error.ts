/**
 * The base of every expected, typed failure: a stable `code` for the edge to map (a route to a status,
 * a server action to `{ ok: false, error }`) and a message for the developer reading a log.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;

  /** Facts the UI may show beside the message (e.g. `required` and `available` credits). */
  get details(): Record<string, unknown> | undefined {
    return undefined;
  }
}
