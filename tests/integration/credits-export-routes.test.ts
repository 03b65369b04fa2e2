import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';

import type { SessionUser } from '@/features/common/auth/session';
import { handleAdminLedgerExport, handleCreditsExport } from '@/features/common/payments/api/credits-export-handlers';
import { deductCreditsBonusFirst } from '@/features/common/payments/service/credits-balance.service';
import { createOrganization } from '@/features/common/payments/service/organizations/organizations.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { createUser, walletIdOf } from '../helpers/factories';
import { setupTestDatabase } from '../helpers/test-database';

setupTestDatabase();

const BASE = 'http://localhost:3000';
const asSession = (user: { id: string; email: string | null; role: 'user' | 'admin' }) => ({ id: user.id, email: user.email, role: user.role }) as SessionUser;

async function userWithUsage() {
  const user = await createUser();
  await addCreditsDirectly({ userId: user.id, credits: 50, creditsType: 'bonus', reason: 'Promo' });
  await deductCreditsBonusFirst({ userId: user.id, credits: 5, reason: '=cmd|"/c calc"!A1', feature: 'generation' });
  return user;
}

describe('the credits export route', () => {
  it('downloads the signed-in user’s ledger as an escaped CSV attachment', async () => {
    const user = await userWithUsage();
    const response = await handleCreditsExport(new Request(`${BASE}/dashboard/billings/credits/export`), asSession(user));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="credits-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parse(await response.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.type, r.reason, r.credits])).toEqual([
      ['grant', 'Promo', '50'],
      ['deduction', `'=cmd|"/c calc"!A1`, '-5'],
    ]);
  });

  it('applies the history filters', async () => {
    const user = await userWithUsage();
    const response = await handleCreditsExport(new Request(`${BASE}/x?type=usage`), asSession(user));
    expect((parse(await response.text(), { columns: true }) as unknown[]).length).toBe(1);
  });

  it.each([
    ['an unknown kind', '?type=gifts'],
    ['a date that is not one', '?from=2026-02-30'],
    ['a range that ends before it starts', '?from=2026-03-02&to=2026-03-01'],
    ['an organisation that is not an id', '?organization=acme'],
  ])('refuses %s with 400 before any row', async (_label, search) => {
    const user = await userWithUsage();
    const response = await handleCreditsExport(new Request(`${BASE}/x${search}`), asSession(user));
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('INVALID_INPUT');
  });

  it('answers 401 without a session, 403 for an organisation the user is not in, 404 for one that does not exist', async () => {
    expect((await handleCreditsExport(new Request(`${BASE}/x`), null)).status).toBe(401);
    const [owner, stranger] = [await createUser(), await createUser()];
    const org = await createOrganization({ userId: owner.id, name: 'Acme' });
    const refused = await handleCreditsExport(new Request(`${BASE}/x?organization=${org.id}`), asSession(stranger));
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe('NOT_ORGANIZATION_MEMBER');
    const missing = await handleCreditsExport(new Request(`${BASE}/x?organization=00000000-0000-4000-8000-000000000000`), asSession(stranger));
    expect(missing.status).toBe(404);
    expect((await handleCreditsExport(new Request(`${BASE}/x?organization=${org.id}`), asSession(owner))).status).toBe(200);
  });
});

describe('the admin ledger export route', () => {
  it('answers 404 to anyone but an admin', async () => {
    const user = await userWithUsage();
    expect((await handleAdminLedgerExport(new Request(`${BASE}/x?user=${user.id}`), asSession(user))).status).toBe(404);
    expect((await handleAdminLedgerExport(new Request(`${BASE}/x?user=${user.id}`), null)).status).toBe(404);
  });

  it('downloads one user’s ledger with wallets and actors', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWithUsage();
    const response = await handleAdminLedgerExport(new Request(`${BASE}/x?user=${encodeURIComponent(user.id)}`), asSession(admin));
    const rows = parse(await response.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.wallet_id, r.type])).toEqual([
      [walletIdOf(user.id), 'grant'],
      [walletIdOf(user.id), 'deduction'],
    ]);
  });

  it('downloads every wallet’s entries for a range of days, the last day included', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWithUsage();
    const today = new Date().toISOString().slice(0, 10);
    const response = await handleAdminLedgerExport(new Request(`${BASE}/x?from=${today}&to=${today}`), asSession(admin));
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="ledger-${today}-to-${today}.csv"`);
    const rows = parse(await response.text(), { columns: true }) as Record<string, string>[];
    expect(rows.filter((r) => r.wallet_id === walletIdOf(user.id))).toHaveLength(2);
  });

  it.each([
    ['no user and no days', ''],
    ['one day only', '?from=2026-03-01'],
    ['days the wrong way round', '?from=2026-03-02&to=2026-03-01'],
    ['a user id with NUL', '?user=a%00b'],
  ])('refuses %s with 400', async (_label, search) => {
    const admin = await createUser({ role: 'admin' });
    expect((await handleAdminLedgerExport(new Request(`${BASE}/x${search}`), asSession(admin))).status).toBe(400);
  });
});
