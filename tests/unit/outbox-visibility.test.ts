import { describe, expect, it } from 'vitest';

import { parseEnv } from '@/config/env';
import { isOutboxVisible } from '@/shared/email/outbox';

const production = parseEnv({
  NODE_ENV: 'production',
  AUTH_SECRET: 'x'.repeat(32),
  APP_URL: 'https://app.example.com',
  DATABASE_URL: 'postgres://db/app',
  EMAIL_OUTBOX: 'true',
  STRIPE_SECRET_KEY: 'sk_live_1',
  STRIPE_WEBHOOK_SECRET: 'whsec_1',
});

describe('the dev outbox (item 4)', () => {
  it('is shown to anyone in development, where it is the only way to read a sign-in link', () => {
    expect(isOutboxVisible(null, parseEnv({ NODE_ENV: 'development' }))).toBe(true);
  });

  it('is shown in production, with EMAIL_OUTBOX=true, to signed-in admins only', () => {
    expect(isOutboxVisible(null, production)).toBe(false);
    expect(isOutboxVisible({ role: 'user' }, production)).toBe(false);
    expect(isOutboxVisible({ role: 'admin' }, production)).toBe(true);
  });

  it('does not exist when emails are sent through Resend', () => {
    expect(isOutboxVisible({ role: 'admin' }, parseEnv({ NODE_ENV: 'development', RESEND_API_KEY: 're_1' }))).toBe(false);
  });
});
