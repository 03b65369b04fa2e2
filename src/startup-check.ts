/**
 * A bad environment or product config stops the server at start with a message naming the problem,
 * instead of failing on some later page; embedded defaults in production are announced loudly.
 */
export async function checkStartup(): Promise<void> {
  try {
    const { env } = await import('@/config/env');
    await import('@/config/app');
    const embedded = Object.entries(env.seams).filter(([, backend]) => ['pglite', 'outbox', 'simulator'].includes(backend));
    if (env.NODE_ENV === 'production' && embedded.length > 0) {
      console.warn(
        `\n⚠ Running a production build on embedded defaults: ${embedded.map(([seam, backend]) => `${seam}=${backend}`).join(', ')}.` +
          '\n  This is for testing only; set the real backends before serving users.\n',
      );
    }
  } catch (error) {
    // Next would otherwise keep a server running that answers nothing; stop it instead.
    console.error(`\n${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
