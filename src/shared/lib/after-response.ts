import { after } from 'next/server';

/**
 * Runs `task` after the response is sent when Next is serving a request (`after()`), so the client
 * is not kept waiting for it; called anywhere else (a test or script calling a route handler) it
 * runs now and the caller awaits it. A failure is logged: work handed here must be durable already
 * (a row a runner retries), since nobody waits for it.
 */
export function afterResponse(task: () => Promise<unknown>): Promise<unknown> | undefined {
  const logged = () => task().catch((error: unknown) => console.error('[after-response] task failed', error));
  try {
    after(logged);
    return undefined;
  } catch {
    // `after` throws outside a request scope; there is no response to wait for, so run it now.
    return task();
  }
}
