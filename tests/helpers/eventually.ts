/**
 * Reads `read` every `everyMs` until `done` holds or `ms` have passed, and returns the last value
 * read: for what another process or a background loop does in its own time (the assertion on the
 * value says what was expected).
 */
export async function eventually<T>(read: () => T | Promise<T>, done: (value: T) => boolean, ms = 5_000, everyMs = 20): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
