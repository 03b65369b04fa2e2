import { z } from 'zod';

/**
 * Every environment variable the app reads, validated once. Nothing else in the codebase reads
 * `process.env`: import `env` from here.
 *
 * Each seam (database, payments, email) has an embedded default for development and tests. In
 * production a missing real backend is a startup error unless its embedded default is switched on
 * explicitly (for an end-to-end test of a production build, say).
 */

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const flag = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false', '1', '0'], { message: 'must be "true" or "false"' })
    .optional()
    .transform((value) => value === 'true' || value === '1'),
);
const emailList = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((email) => email.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.email({ message: 'must be a comma-separated list of email addresses' }))),
);

const DEV_AUTH_SECRET = 'development-only-secret-do-not-use-in-production';
const DEV_STRIPE_WEBHOOK_SECRET = 'whsec_local_simulator_secret';

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** Set by Next: `phase-production-build` while `next build` runs. */
    NEXT_PHASE: optionalString,
    APP_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .optional()
        .superRefine((value, ctx) => {
          if (value === undefined) return;
          // `localhost:3204` parses as a URL with the scheme "localhost:": refuse anything not http(s).
          if (!/^https?:\/\/[^/\s]/i.test(value)) {
            const bare = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
            ctx.addIssue({
              code: 'custom',
              message: `must start with http:// or https:// (write APP_URL=${/^(localhost|127\.|\[::1\])/.test(bare) ? 'http' : 'https'}://${bare})`,
            });
          } else if (!URL.canParse(value)) {
            ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://app.example.com' });
          }
        }),
    ),
    /** The port the server listens on: `next dev` and `next start` set it (also when dev moves off a busy 3000). */
    PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65_535).optional()),

    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// connection URL' })
        .optional(),
    ),
    PGLITE_DIR: optionalString,
    /** Port on 127.0.0.1 where `npm run dev` serves the embedded database (unset: any free port). */
    PGLITE_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(65_535).optional()),
    /** Connections in the app's pool to DATABASE_URL (default 10). `npm run dev` sets 1 for its embedded database. */
    DATABASE_POOL_MAX: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(100).optional()),

    AUTH_SECRET: z.preprocess(
      emptyToUndefined,
      z.string().min(32, { message: 'must be at least 32 characters (generate one with `openssl rand -base64 32`)' }).optional(),
    ),
    AUTH_GITHUB_ID: optionalString,
    AUTH_GITHUB_SECRET: optionalString,
    AUTH_GOOGLE_ID: optionalString,
    AUTH_GOOGLE_SECRET: optionalString,
    ADMIN_EMAILS: emailList,

    RESEND_API_KEY: optionalString,
    EMAIL_FROM: z.preprocess(emptyToUndefined, z.string().min(3, { message: 'must be a sender such as "Acme <billing@acme.com>"' }).optional()),
    EMAIL_OUTBOX: flag,
    /** Points the Resend SDK at a Resend-compatible server (the end-to-end tests' local one). */
    RESEND_API_BASE: z.preprocess(emptyToUndefined, z.url({ message: 'must be a URL such as http://127.0.0.1:3201' }).optional()),

    STRIPE_SECRET_KEY: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^(sk|rk)_(test|live)_/, { message: 'must be a Stripe secret key (sk_test_… or sk_live_…)' })
        .optional(),
    ),
    STRIPE_WEBHOOK_SECRET: z.preprocess(
      emptyToUndefined,
      z.string().startsWith('whsec_', { message: 'must be a webhook signing secret (whsec_…)' }).optional(),
    ),
    STRIPE_API_BASE: z.preprocess(emptyToUndefined, z.url({ message: 'must be a URL such as http://127.0.0.1:12111' }).optional()),
    PAYMENTS_SIMULATOR: flag,
    /**
     * Who runs the jobs a change queues (receipts, callbacks, alerts, auto top-up charges): this
     * process, right after the change (`in-process`, the default), or a separate `npm run
     * credits:worker` (`worker`), so a web process under load only answers.
     */
    JOB_RUNNER: z.preprocess(emptyToUndefined, z.enum(['in-process', 'worker'], { message: 'must be "in-process" or "worker"' }).default('in-process')),
    /** Guards `/api/cron/credits` (a hosted scheduler sends it as a bearer token); unset, the route is off. */
    CRON_SECRET: z.preprocess(
      emptyToUndefined,
      z.string().min(16, { message: 'must be at least 16 characters (generate one with `openssl rand -hex 32`)' }).optional(),
    ),
  })
  .superRefine((raw, ctx) => {
    const production = raw.NODE_ENV === 'production';
    const need = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });

    for (const provider of ['GITHUB', 'GOOGLE'] as const) {
      const id = raw[`AUTH_${provider}_ID`];
      const secret = raw[`AUTH_${provider}_SECRET`];
      if (Boolean(id) !== Boolean(secret)) {
        need(id ? `AUTH_${provider}_SECRET` : `AUTH_${provider}_ID`, `is required when the other AUTH_${provider}_* variable is set`);
      }
    }
    if (raw.STRIPE_SECRET_KEY && !raw.STRIPE_WEBHOOK_SECRET) {
      need('STRIPE_WEBHOOK_SECRET', 'is required with STRIPE_SECRET_KEY (from `stripe listen` or the dashboard webhook)');
    }
    // `next build` loads this module to collect route configuration, with NODE_ENV=production but none
    // of the runtime secrets (Docker images, CI): values that are set are checked, what production
    // requires is checked when the server starts (src/instrumentation.ts) and on first use.
    if (!production || raw.NEXT_PHASE === 'phase-production-build') return;

    if (!raw.AUTH_SECRET) need('AUTH_SECRET', 'is required in production (generate one with `openssl rand -base64 32`)');
    if (!raw.APP_URL) need('APP_URL', 'is required in production: the public URL used in emails and checkout links');
    if (raw.RESEND_API_KEY && !raw.EMAIL_FROM) need('EMAIL_FROM', 'is required with RESEND_API_KEY in production: a sender on your verified domain');
    if (!raw.DATABASE_URL && !raw.PGLITE_DIR) {
      need('DATABASE_URL', 'is required in production (or set PGLITE_DIR to use the embedded database on purpose)');
    }
    if (!raw.RESEND_API_KEY && !raw.EMAIL_OUTBOX) {
      need('RESEND_API_KEY', 'is required in production (or set EMAIL_OUTBOX=true to keep emails in the dev outbox on purpose)');
    }
    if (!raw.STRIPE_SECRET_KEY && !raw.PAYMENTS_SIMULATOR) {
      need('STRIPE_SECRET_KEY', 'is required in production (or set PAYMENTS_SIMULATOR=true to use the checkout simulator on purpose)');
    } else if (!raw.STRIPE_SECRET_KEY && !raw.STRIPE_WEBHOOK_SECRET) {
      // The development default is public: anyone could sign events with it.
      need('STRIPE_WEBHOOK_SECRET', 'is required in production, also with the checkout simulator (any whsec_… string of your own)');
    }
  })
  .transform((raw) => {
    const embeddedPayments = !raw.STRIPE_SECRET_KEY;
    return {
      ...raw,
      // Production requires APP_URL. Elsewhere an unset one follows the port this server listens on,
      // so `npm run dev` works on any port; neither ever comes from a request's headers.
      APP_URL: raw.APP_URL ?? `http://localhost:${raw.PORT ?? 3000}`,
      EMAIL_FROM: raw.EMAIL_FROM ?? 'Credits <no-reply@example.com>',
      AUTH_SECRET: raw.AUTH_SECRET ?? DEV_AUTH_SECRET,
      /** Where the embedded database lives when DATABASE_URL is unset. */
      PGLITE_DIR: raw.PGLITE_DIR ?? '.data/pglite',
      STRIPE_WEBHOOK_SECRET: raw.STRIPE_WEBHOOK_SECRET ?? DEV_STRIPE_WEBHOOK_SECRET,
      seams: {
        database: raw.DATABASE_URL ? 'postgres' : 'pglite',
        email: raw.RESEND_API_KEY ? 'resend' : 'outbox',
        payments: embeddedPayments ? 'simulator' : 'stripe',
      } as const,
    };
  });

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  readonly code = 'INVALID_ENV';
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid environment variables:\n' +
        problems.map((p) => `  - ${p.variable} ${p.message}`).join('\n') +
        '\nSet them in .env (see .env.example) or in your host’s environment.',
    );
    this.name = 'EnvError';
  }
}

/** Parses a set of variables; throws an `EnvError` naming every bad or missing one. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  throw new EnvError(result.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? 'environment'), message: issue.message })));
}

export const env: Env = parseEnv(process.env);
