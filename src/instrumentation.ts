/**
 * Runs once when a server starts, before it takes requests. The checks live in a Node-only module,
 * imported only in the Node runtime, so the Edge build never sees `process.exit`.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { checkStartup } = await import('./startup-check');
    await checkStartup();
    if (process.env.NODE_ENV === 'development') {
      const { startDevelopmentJobRunner } = await import('./features/common/payments/service/jobs/dev-runner');
      startDevelopmentJobRunner();
    }
  }
}
