import { describe, expect, it } from 'vitest';

import { EnvError, parseEnv } from '@/config/env';

function problemsOf(source: Record<string, string | undefined>) {
  try {
    parseEnv(source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as EnvError).problems.map((p) => p.variable);
  }
  throw new Error('expected parseEnv to throw');
}

describe('parseEnv', () => {
  it('needs nothing in development: every seam has an embedded default', () => {
    const env = parseEnv({ NODE_ENV: 'development' });
    expect(env.seams).toEqual({ database: 'pglite', email: 'outbox', payments: 'simulator' });
    expect(env.PGLITE_DIR).toBe('.data/pglite');
    expect(env.APP_URL).toBe('http://localhost:3000');
  });

  it('follows the port the server listens on when APP_URL is unset outside production', () => {
    expect(parseEnv({ NODE_ENV: 'development', PORT: '3001' }).APP_URL).toBe('http://localhost:3001');
    expect(parseEnv({ NODE_ENV: 'development', PORT: '3001', APP_URL: 'http://127.0.0.1:4000' }).APP_URL).toBe('http://127.0.0.1:4000');
    expect(() => parseEnv({ PORT: 'eighty' })).toThrow(/PORT/);
  });

  it('treats empty strings as unset, as a copied .env.example leaves them', () => {
    const env = parseEnv({ NODE_ENV: 'development', DATABASE_URL: '', RESEND_API_KEY: '' });
    expect(env.seams.database).toBe('pglite');
    expect(env.seams.email).toBe('outbox');
  });

  it('chooses the real backends when their variables are set', () => {
    const env = parseEnv({
      NODE_ENV: 'development',
      DATABASE_URL: 'postgres://u@localhost/app',
      RESEND_API_KEY: 're_123',
      STRIPE_SECRET_KEY: 'sk_test_123',
      STRIPE_WEBHOOK_SECRET: 'whsec_123',
    });
    expect(env.seams).toEqual({ database: 'postgres', email: 'resend', payments: 'stripe' });
  });

  it('refuses to start production on embedded defaults it was not asked for, naming each variable', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['AUTH_SECRET', 'APP_URL', 'DATABASE_URL', 'RESEND_API_KEY', 'STRIPE_SECRET_KEY']);
  });

  it('requires a sender of one’s own when production sends through Resend', () => {
    const realServices = {
      NODE_ENV: 'production',
      AUTH_SECRET: 'x'.repeat(32),
      APP_URL: 'https://app.example.com',
      DATABASE_URL: 'postgres://db/app',
      RESEND_API_KEY: 're_1',
      STRIPE_SECRET_KEY: 'sk_live_1',
      STRIPE_WEBHOOK_SECRET: 'whsec_1',
    };
    expect(problemsOf(realServices)).toEqual(['EMAIL_FROM']);
  });

  const embeddedInProduction = {
    NODE_ENV: 'production',
    AUTH_SECRET: 'x'.repeat(32),
    APP_URL: 'http://localhost:3100',
    PGLITE_DIR: '/tmp/e2e',
    EMAIL_OUTBOX: 'true',
    PAYMENTS_SIMULATOR: 'true',
  };

  it('lets production use the embedded defaults when each is switched on explicitly', () => {
    const env = parseEnv({ ...embeddedInProduction, STRIPE_WEBHOOK_SECRET: 'whsec_e2e' });
    expect(env.seams).toEqual({ database: 'pglite', email: 'outbox', payments: 'simulator' });
  });

  it('does not let the simulator run in production on the public development webhook secret', () => {
    expect(problemsOf(embeddedInProduction)).toEqual(['STRIPE_WEBHOOK_SECRET']);
  });

  it('names a malformed variable and says what it should look like', () => {
    expect(() => parseEnv({ DATABASE_URL: 'mysql://nope' })).toThrow(/DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ connection URL/);
    expect(() => parseEnv({ ADMIN_EMAILS: 'admin@example.com, not-an-email' })).toThrow(/ADMIN_EMAILS must be a comma-separated list/);
    expect(() => parseEnv({ AUTH_SECRET: 'short' })).toThrow(/AUTH_SECRET must be at least 32 characters/);
    expect(() => parseEnv({ EMAIL_OUTBOX: 'yes' })).toThrow(/EMAIL_OUTBOX must be "true" or "false"/);
  });

  it('runs jobs in the process unless JOB_RUNNER names the worker, and refuses anything else', () => {
    expect(parseEnv({}).JOB_RUNNER).toBe('in-process');
    expect(parseEnv({ JOB_RUNNER: '' }).JOB_RUNNER).toBe('in-process');
    expect(parseEnv({ JOB_RUNNER: 'worker' }).JOB_RUNNER).toBe('worker');
    for (const value of ['Worker', 'workers', ' worker', 'true', '1', 'worker\u0000', 'x'.repeat(100_000)]) {
      expect(() => parseEnv({ JOB_RUNNER: value }), value.slice(0, 20)).toThrow(/JOB_RUNNER must be "in-process" or "worker"/);
    }
  });

  it('requires both halves of an OAuth provider and the webhook secret with a Stripe key', () => {
    expect(problemsOf({ AUTH_GITHUB_ID: 'id' })).toEqual(['AUTH_GITHUB_SECRET']);
    expect(problemsOf({ STRIPE_SECRET_KEY: 'sk_test_1' })).toEqual(['STRIPE_WEBHOOK_SECRET']);
  });

  it('normalises ADMIN_EMAILS to a lower-case list', () => {
    expect(parseEnv({ ADMIN_EMAILS: ' Admin@Example.com ,ops@example.com,' }).ADMIN_EMAILS).toEqual(['admin@example.com', 'ops@example.com']);
  });

  it('lets `next build` run with no environment: production requirements are checked when the server starts', () => {
    const built = parseEnv({ NODE_ENV: 'production', NEXT_PHASE: 'phase-production-build' });
    expect(built.seams).toEqual({ database: 'pglite', email: 'outbox', payments: 'simulator' });
    // The same variables at server start are refused, naming each one.
    expect(problemsOf({ NODE_ENV: 'production', NEXT_PHASE: 'phase-production-server' })).toEqual([
      'AUTH_SECRET',
      'APP_URL',
      'DATABASE_URL',
      'RESEND_API_KEY',
      'STRIPE_SECRET_KEY',
    ]);
    // A value that is set is still checked at build.
    expect(problemsOf({ NODE_ENV: 'production', NEXT_PHASE: 'phase-production-build', APP_URL: 'localhost:3204' })).toEqual(['APP_URL']);
  });

  it('refuses an APP_URL without a scheme and says what to write', () => {
    const messageOf = (source: Record<string, string>) => {
      try {
        parseEnv(source);
      } catch (error) {
        return (error as EnvError).message;
      }
      return '';
    };
    expect(messageOf({ APP_URL: 'localhost:3204' })).toContain('APP_URL must start with http:// or https:// (write APP_URL=http://localhost:3204)');
    expect(messageOf({ APP_URL: 'app.example.com' })).toContain('(write APP_URL=https://app.example.com)');
    expect(messageOf({ APP_URL: 'ftp://app.example.com' })).toContain('(write APP_URL=https://app.example.com)');
    expect(parseEnv({ APP_URL: 'https://app.example.com' }).APP_URL).toBe('https://app.example.com');
  });

  it('requires STRIPE_WEBHOOK_SECRET in production with the checkout simulator too, as the docs say', () => {
    const simulator = {
      NODE_ENV: 'production',
      APP_URL: 'https://app.example.com',
      AUTH_SECRET: 'x'.repeat(32),
      PGLITE_DIR: '/data',
      EMAIL_OUTBOX: 'true',
      PAYMENTS_SIMULATOR: 'true',
    };
    expect(problemsOf(simulator)).toEqual(['STRIPE_WEBHOOK_SECRET']);
    expect(parseEnv({ ...simulator, STRIPE_WEBHOOK_SECRET: 'whsec_my_own' }).seams.payments).toBe('simulator');
  });
});
