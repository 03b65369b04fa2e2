import { createActionURL } from '@auth/core';
import { NextRequest } from 'next/server';
import { describe, expect, it } from 'vitest';

import { GET, POST } from '@/app/api/auth/[...nextauth]/route';
import { env } from '@/config/env';
import { listOutboxEmails } from '@/shared/email/outbox';
import { setupTestDatabase } from '../helpers/test-database';

setupTestDatabase();

const forged = { host: 'attacker.example', 'x-forwarded-host': 'attacker.example', 'x-forwarded-proto': 'https' };

/** Asks Auth.js's endpoint for a sign-in link as a client that lies about the host it called. */
async function requestLink(email: string) {
  const csrf = await GET(new NextRequest('https://attacker.example/api/auth/csrf', { headers: forged }));
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  return POST(
    new NextRequest('https://attacker.example/api/auth/signin/email', {
      method: 'POST',
      headers: { ...forged, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, csrfToken, callbackUrl: '/dashboard' }),
    }),
  );
}

describe('sign-in links (item 1)', () => {
  it('are built on APP_URL whatever Host and X-Forwarded-Host say', async () => {
    const email = `forged-host-${Date.now()}@example.com`;
    const response = await requestLink(email);
    expect(response.status).toBe(302);

    const [message] = await listOutboxEmails({ to: email });
    const link = [...message!.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&')).find((href) => href.includes('/callback/email'));
    expect(new URL(link!).origin).toBe(new URL(env.APP_URL).origin);
    expect(message!.html).not.toContain('attacker.example');
  });

  it('are built on APP_URL by the sign-in form’s server action too, which reads the forwarded host', async () => {
    // What next-auth's signIn() does with the action request's headers.
    const url = createActionURL('signin', 'https', new Headers(forged), process.env, { basePath: '/api/auth' } as never);
    expect(url.origin).toBe(new URL(env.APP_URL).origin);
  });
});
