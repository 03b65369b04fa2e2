import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';

import { applyAdminEmails, githubUserinfo, isVerifiedOAuthEmail, sessionRole } from '@/features/common/auth/admin-emails';
import { getDb } from '@/shared/db/client';
import { accounts, users } from '@/shared/db/schema';
import { createUser } from '../helpers/factories';
import { setupTestDatabase } from '../helpers/test-database';

setupTestDatabase();
vi.spyOn(console, 'warn').mockImplementation(() => {});

async function roleOf(userId: string) {
  const db = await getDb();
  const [user] = await db.select({ role: users.role }).from(users).where(eq(users.id, userId));
  return user!.role;
}

async function linkOAuth(userId: string, createdAt: Date) {
  const db = await getDb();
  await db.insert(accounts).values({ userId, type: 'oauth', provider: 'github', providerAccountId: `gh-${userId}`, createdAt });
}

describe('ADMIN_EMAILS (item 3)', () => {
  it('makes a listed address admin when a sign-in link proves it', async () => {
    const user = await createUser({ email: `boss-${Date.now()}@example.com` });
    expect(await applyAdminEmails(user.id, { provedEmail: true, adminEmails: [user.email!] })).toBe('admin');
    expect(await roleOf(user.id)).toBe('admin');
  });

  it('never promotes a row whose OAuth account was linked before the address was proved', async () => {
    // Someone signed in with an OAuth account claiming the admin's address; then the admin used a link.
    const user = await createUser({ email: `owner-${Date.now()}@example.com` });
    await linkOAuth(user.id, new Date(Date.now() - 60 * 60 * 1000));
    expect(await applyAdminEmails(user.id, { provedEmail: true, adminEmails: [user.email!] })).toBe('user');
    expect(await applyAdminEmails(user.id, { provedEmail: true, adminEmails: [user.email!] })).toBe('user');
    expect(await roleOf(user.id)).toBe('user');
  });

  it('promotes an admin who linked an OAuth account after proving the address', async () => {
    const user = await createUser({ email: `careful-${Date.now()}@example.com` });
    await applyAdminEmails(user.id, { provedEmail: true, adminEmails: [] });
    await linkOAuth(user.id, new Date(Date.now() + 1000));
    expect(await applyAdminEmails(user.id, { provedEmail: false, adminEmails: [user.email!] })).toBe('admin');
  });

  it('does not take an OAuth sign-in as proof of the address', async () => {
    const user = await createUser({ email: `oauth-only-${Date.now()}@example.com` });
    expect(await applyAdminEmails(user.id, { provedEmail: false, adminEmails: [user.email!] })).toBe('user');
  });

  it('takes admin away from an address removed from ADMIN_EMAILS, in the session at once and in the row', async () => {
    const user = await createUser({ email: `former-${Date.now()}@example.com`, role: 'admin' });
    expect(sessionRole({ role: 'admin', email: user.email }, [])).toBe('user');
    expect(sessionRole({ role: 'admin', email: user.email!.toUpperCase() }, [user.email!])).toBe('admin');
    expect(await applyAdminEmails(user.id, { provedEmail: false, adminEmails: [] })).toBe('user');
    expect(await roleOf(user.id)).toBe('user');
  });
});

describe('OAuth addresses (item 3)', () => {
  it.each([
    ['Google with email_verified', { email: 'a@example.com', email_verified: true }, true],
    ['Google without email_verified', { email: 'a@example.com', email_verified: false }, false],
    ['a profile that does not say', { email: 'a@example.com' }, false],
    ['a profile without an address', { email_verified: true }, false],
    ['no profile', undefined, false],
  ])('accepts %s: %s', (_label, profile, expected) => {
    expect(isVerifiedOAuthEmail(profile)).toBe(expected);
  });

  async function github(emails: unknown) {
    const server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url === '/user/emails' ? emails : { id: 1, login: 'octo', email: 'public@example.com' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      return await githubUserinfo(`http://127.0.0.1:${port}`).request({ tokens: { access_token: 'gho_x' } });
    } finally {
      server.close();
    }
  }

  it('takes GitHub’s primary verified address, not its public one', async () => {
    const profile = await github([
      { email: 'old@example.com', primary: false, verified: true },
      { email: 'me@example.com', primary: true, verified: true },
    ]);
    expect(profile).toMatchObject({ login: 'octo', email: 'me@example.com', email_verified: true });
    expect(isVerifiedOAuthEmail(profile)).toBe(true);
  });

  it('leaves a GitHub account whose primary address is unverified without an address, so it is refused', async () => {
    const profile = await github([{ email: 'admin@example.com', primary: true, verified: false }]);
    expect(profile).toMatchObject({ email: null, email_verified: false });
    expect(isVerifiedOAuthEmail(profile)).toBe(false);
  });
});
