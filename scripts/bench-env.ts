/**
 * Imported first by the benchmarks: they measure what a deployment runs, so the process is a
 * production one (React's production build, production code paths), with the settings production
 * requires filled in for a local run: emails kept in the outbox, Stripe's keys those of the local
 * Stripe-compatible server the benchmark starts, the database the benchmark's own. Anything already
 * set in the environment is kept.
 */
const defaults: Record<string, string> = {
  NODE_ENV: 'production',
  AUTH_SECRET: 'bench-only-secret-not-for-any-deployment-0123456789',
  APP_URL: 'http://localhost:3000',
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  EMAIL_OUTBOX: 'true',
  STRIPE_SECRET_KEY: 'sk_test_local',
  STRIPE_WEBHOOK_SECRET: 'whsec_test_local',
};
for (const [name, value] of Object.entries(defaults)) process.env[name] ??= value;
