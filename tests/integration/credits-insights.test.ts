import { parse } from 'csv-parse/sync';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

import {
  deductCreditsBonusFirst,
  listCreditTransactions,
  reserveCredits,
  settleCreditHold,
} from '@/features/common/payments/service/credits-balance.service';
import { InvalidCreditsInputError, NotOrganizationMemberError } from '@/features/common/payments/service/credits-errors';
import { getCreditsUsageByFeature } from '@/features/common/payments/service/credits-usage.service';
import { listAdminActions, listAuditAdmins } from '@/features/common/payments/service/insights/admin-audit';
import { exportCreditTransactions, exportLedgerForAdmin, ledgerEntryBatches } from '@/features/common/payments/service/insights/ledger-export';
import { correctCredits } from '@/features/common/payments/service/ledger/corrections';
import { createOrganization } from '@/features/common/payments/service/organizations/organizations.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { getDb } from '@/shared/db/client';
import { creditTransactions } from '@/shared/db/schema';
import { csvStream } from '@/shared/lib/csv';
import { createUser, ledgerOf, walletIdOf } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

setupTestDatabase();

async function userWithBonus(bonus: number) {
  const user = await createUser();
  await addCreditsDirectly({ userId: user.id, credits: bonus, creditsType: 'bonus', reason: 'Promo' });
  return user;
}

/** Moves an entry to another time (the ledger refuses updates; a test may step around that to travel in time). */
async function moveEntry(id: number | string, createdAt: Date) {
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.update(creditTransactions).set({ createdAt }).where(eq(creditTransactions.id, Number(id)));
  });
}

async function csvOf(exported: { header: string[]; batches: AsyncIterable<unknown[][]> }): Promise<Record<string, string>[]> {
  const text = await new Response(csvStream(exported.header, exported.batches as never)).text();
  return parse(text, { columns: true }) as Record<string, string>[];
}

describe(`usage by feature on ${testDriver}`, () => {
  it('sums each feature’s credits, labels them from config, and gives each its share of the total', async () => {
    const user = await userWithBonus(1000);
    await deductCreditsBonusFirst({ userId: user.id, credits: 60, reason: 'Run generation', feature: 'generation' });
    await deductCreditsBonusFirst({ userId: user.id, credits: 15, reason: 'Run generation', feature: 'generation' });
    await deductCreditsBonusFirst({ userId: user.id, credits: 20, reason: 'Summaries', feature: 'summaries' });
    await deductCreditsBonusFirst({ userId: user.id, credits: 5, reason: 'Something' });

    const report = await getCreditsUsageByFeature(user.id);

    expect(report.total).toBe(100);
    expect(report.features).toEqual([
      { key: 'generation', label: 'Generation', credits: 75, share: 0.75 },
      { key: 'summaries', label: 'summaries', credits: 20, share: 0.2 },
      { key: null, label: 'Other', credits: 5, share: 0.05 },
    ]);
    expect(report.days.at(-1)).toMatchObject({ credits: 100, byFeature: { generation: 75, summaries: 20, '': 5 } });
  });

  it('counts settled holds under the hold’s feature, and neither open nor released holds', async () => {
    const user = await userWithBonus(100);
    const settled = await reserveCredits({ userId: user.id, credits: 30, reason: 'Render', feature: 'render' });
    await settleCreditHold({ userId: user.id, holdId: settled.holdId, credits: 12 });
    await reserveCredits({ userId: user.id, credits: 20, reason: 'Render', feature: 'render' });

    const report = await getCreditsUsageByFeature(user.id);

    expect(report.features).toEqual([{ key: 'render', label: 'render', credits: 12, share: 1 }]);
  });

  it('places each day’s usage on its UTC day and leaves out what is older than the window', async () => {
    const user = await userWithBonus(100);
    const old = await deductCreditsBonusFirst({ userId: user.id, credits: 7, reason: 'a', feature: 'generation' });
    const recent = await deductCreditsBonusFirst({ userId: user.id, credits: 5, reason: 'b', feature: 'generation' });
    await moveEntry(old.transactionId, new Date('2026-01-01T23:59:59Z'));
    await moveEntry(recent.transactionId, new Date('2026-01-30T00:00:00Z'));

    const report = await getCreditsUsageByFeature(user.id, { now: new Date('2026-01-31T12:00:00Z') });

    expect(report.days[0]!.date).toBe('2026-01-02');
    expect(report.total).toBe(5);
    expect(report.days.find((day) => day.date === '2026-01-30')).toEqual({ date: '2026-01-30', credits: 5, byFeature: { generation: 5 } });
  });

  it('reads an organisation’s usage for its members only', async () => {
    const [owner, stranger] = [await createUser(), await createUser()];
    const org = await createOrganization({ userId: owner.id, name: 'Acme' });
    await addCreditsDirectly({ organizationId: org.id, credits: 50, creditsType: 'bonus', reason: 'Promo' });
    await deductCreditsBonusFirst({ userId: owner.id, organizationId: org.id, credits: 8, reason: 'Run', feature: 'generation' });

    expect((await getCreditsUsageByFeature(owner.id, { organizationId: org.id })).total).toBe(8);
    expect((await getCreditsUsageByFeature(owner.id)).total).toBe(0);
    await expect(getCreditsUsageByFeature(stranger.id, { organizationId: org.id })).rejects.toBeInstanceOf(NotOrganizationMemberError);
  });
});

describe(`filtered history on ${testDriver}`, () => {
  it('lists only entries of the chosen types, pages through them, and keeps the filter across pages', async () => {
    const user = await userWithBonus(100);
    for (let i = 0; i < 5; i++) await deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: `Use ${i}` });
    await addCreditsDirectly({ userId: user.id, credits: 10, creditsType: 'purchased', reason: 'Pack' });

    const first = await listCreditTransactions(user.id, { types: ['deduction', 'hold_settled'], limit: 3 });
    const second = await listCreditTransactions(user.id, { types: ['deduction', 'hold_settled'], limit: 3, cursor: first.nextCursor! });

    expect(first.items.map((e) => e.reason)).toEqual(['Use 4', 'Use 3', 'Use 2']);
    expect(second.items.map((e) => e.reason)).toEqual(['Use 1', 'Use 0']);
    expect(second.nextCursor).toBeNull();
    expect((await listCreditTransactions(user.id, { types: ['grant'] })).items.map((e) => e.reason)).toEqual(['Pack', 'Promo']);
  });

  it('lists only entries within the date range, from included, to excluded', async () => {
    const user = await userWithBonus(100);
    const entries = [];
    for (const day of ['2026-02-28T23:59:59Z', '2026-03-01T00:00:00Z', '2026-03-31T23:59:59Z', '2026-04-01T00:00:00Z']) {
      const { transactionId } = await deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: day });
      entries.push(transactionId);
      await moveEntry(transactionId, new Date(day));
    }

    const march = await listCreditTransactions(user.id, { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z') });

    expect(march.items.map((e) => e.reason)).toEqual(['2026-03-31T23:59:59Z', '2026-03-01T00:00:00Z']);
  });

  it.each([
    ['an unknown type', { types: ['gift'] }],
    ['no types', { types: [] }],
    ['an invalid date', { from: new Date('nope') }],
    ['a date string', { to: '2026-03-01' }],
  ])('refuses %s with a typed error', async (_label, options) => {
    const user = await createUser();
    await expect(listCreditTransactions(user.id, options as never)).rejects.toBeInstanceOf(InvalidCreditsInputError);
  });
});

describe(`exports on ${testDriver}`, () => {
  it('exports a user’s whole ledger oldest first with balances and feature labels, across batches', async () => {
    const user = await userWithBonus(100);
    for (let i = 0; i < 25; i++) await deductCreditsBonusFirst({ userId: user.id, credits: 2, reason: `Use ${i}`, feature: 'generation' });

    const batches = [];
    for await (const batch of ledgerEntryBatches(await getDb(), { walletId: walletIdOf(user.id) }, 10)) batches.push(batch.length);
    const rows = await csvOf(await exportCreditTransactions(user.id));

    expect(batches).toEqual([10, 10, 6]);
    expect(rows).toHaveLength(26);
    expect(rows[0]).toMatchObject({ type: 'grant', reason: 'Promo', credits: '100', bonus_delta: '100', balance_after: '100', actor_type: 'system' });
    expect(rows[25]).toMatchObject({
      type: 'deduction',
      reason: 'Use 24',
      feature: 'generation',
      feature_label: 'Generation',
      credits: '-2',
      used_delta: '2',
      balance_after: '50',
      used_after: '50',
      actor_type: 'user',
      actor_id: user.id,
    });
    expect(rows.map((r) => Number(r.id))).toEqual([...rows.map((r) => Number(r.id))].sort((a, b) => a - b));
  });

  it('escapes reasons a spreadsheet would run as formulas, and keeps amounts as numbers', async () => {
    const user = await userWithBonus(100);
    await deductCreditsBonusFirst({ userId: user.id, credits: 3, reason: '=HYPERLINK("http://evil.example","Click")' });
    await deductCreditsBonusFirst({ userId: user.id, credits: 3, reason: '@SUM(1+1)' });
    await deductCreditsBonusFirst({ userId: user.id, credits: 3, reason: '-1+2' });

    const rows = await csvOf(await exportCreditTransactions(user.id));

    expect(rows.slice(1).map((r) => [r.reason, r.credits])).toEqual([
      [`'=HYPERLINK("http://evil.example","Click")`, '-3'],
      [`'@SUM(1+1)`, '-3'],
      [`'-1+2`, '-3'],
    ]);
  });

  it('exports only what the filters select', async () => {
    const user = await userWithBonus(100);
    await deductCreditsBonusFirst({ userId: user.id, credits: 1, reason: 'Use' });
    const rows = await csvOf(await exportCreditTransactions(user.id, { types: ['grant'] }));
    expect(rows.map((r) => r.reason)).toEqual(['Promo']);
  });

  it('exports an organisation’s ledger for its members only, naming who spent', async () => {
    const [owner, stranger] = [await createUser(), await createUser()];
    const org = await createOrganization({ userId: owner.id, name: 'Acme' });
    await addCreditsDirectly({ organizationId: org.id, credits: 50, creditsType: 'bonus', reason: 'Promo' });
    await deductCreditsBonusFirst({ userId: owner.id, organizationId: org.id, credits: 8, reason: 'Run' });

    const rows = await csvOf(await exportCreditTransactions(owner.id, { organizationId: org.id }));

    expect(rows.map((r) => [r.reason, r.actor_id])).toEqual([
      ['Promo', ''],
      ['Run', owner.id],
    ]);
    await expect(exportCreditTransactions(stranger.id, { organizationId: org.id })).rejects.toBeInstanceOf(NotOrganizationMemberError);
  });

  it('hides which admin acted from the user, and shows it, the wallet and metadata to admins', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await userWithBonus(100);
    await correctCredits({ userId: user.id, bucket: 'bonus', credits: -10, reason: 'Revoke', adminId: admin.id });

    const [forUser] = (await csvOf(await exportCreditTransactions(user.id))).slice(-1);
    const [forAdmin] = (await csvOf(await exportLedgerForAdmin({ walletId: walletIdOf(user.id) }))).slice(-1);

    expect(forUser).toMatchObject({ type: 'correction', actor_type: 'admin', actor_id: '' });
    expect(forAdmin).toMatchObject({ type: 'correction', actor_type: 'admin', actor_id: admin.id, wallet_id: walletIdOf(user.id) });
    expect(JSON.parse(forAdmin!.metadata!)).toMatchObject({ bucket: 'bonus', credits: -10 });
  });

  it('exports every wallet’s entries within a date range for admins, in ledger order', async () => {
    const [a, b] = [await userWithBonus(10), await userWithBonus(10)];
    const inRange = [
      await deductCreditsBonusFirst({ userId: a.id, credits: 1, reason: 'a in range' }),
      await deductCreditsBonusFirst({ userId: b.id, credits: 1, reason: 'b in range' }),
    ];
    const outside = await deductCreditsBonusFirst({ userId: a.id, credits: 1, reason: 'a outside' });
    for (const entry of inRange) await moveEntry(entry.transactionId, new Date('2020-05-10T12:00:00Z'));
    await moveEntry(outside.transactionId, new Date('2020-06-01T00:00:00Z'));

    const rows = await csvOf(await exportLedgerForAdmin({ from: new Date('2020-05-01T00:00:00Z'), to: new Date('2020-06-01T00:00:00Z') }));

    expect(rows.map((r) => [r.reason, r.wallet_id])).toEqual([
      ['a in range', walletIdOf(a.id)],
      ['b in range', walletIdOf(b.id)],
    ]);
    expect(await csvOf(await exportLedgerForAdmin({ from: new Date('2019-01-01T00:00:00Z'), to: new Date('2019-02-01T00:00:00Z') }))).toEqual([]);
  });
});

describe(`the admin audit list on ${testDriver}`, () => {
  it('lists admins’ changes newest first, by admin and by user, and nothing users or the system did', async () => {
    const [alice, bob] = [await createUser({ role: 'admin', email: `alice-${Date.now()}@example.com` }), await createUser({ role: 'admin' })];
    const [carol, dave] = [await userWithBonus(100), await userWithBonus(100)];
    await addCreditsDirectly({ userId: carol.id, credits: 5, creditsType: 'bonus', reason: 'Alice grants Carol', actorId: alice.id });
    await correctCredits({ userId: dave.id, bucket: 'bonus', credits: -5, reason: 'Alice revokes Dave', adminId: alice.id });
    await correctCredits({ userId: carol.id, bucket: 'bonus', credits: -1, reason: 'Bob revokes Carol', adminId: bob.id });
    await deductCreditsBonusFirst({ userId: carol.id, credits: 1, reason: 'Carol spends' });

    const reasons = async (options: Parameters<typeof listAdminActions>[0]) => (await listAdminActions(options)).items.map((a) => a.reason);

    expect((await reasons({})).slice(0, 3)).toEqual(['Bob revokes Carol', 'Alice revokes Dave', 'Alice grants Carol']);
    expect(await reasons({ adminId: alice.id })).toEqual(['Alice revokes Dave', 'Alice grants Carol']);
    expect(await reasons({ userId: carol.id })).toEqual(['Bob revokes Carol', 'Alice grants Carol']);
    expect(await reasons({ adminId: alice.id, userId: carol.id })).toEqual(['Alice grants Carol']);
    const [action] = (await listAdminActions({ adminId: alice.id, userId: dave.id })).items;
    expect(action).toMatchObject({ type: 'correction', bonusDelta: -5, adminEmail: alice.email, userId: dave.id, userEmail: dave.email });
    expect((await listAuditAdmins()).map((admin) => admin.id)).toEqual(expect.arrayContaining([alice.id, bob.id]));
  });

  it('pages through the list', async () => {
    const admin = await createUser({ role: 'admin' });
    const user = await createUser();
    for (let i = 0; i < 5; i++) await addCreditsDirectly({ userId: user.id, credits: 1, creditsType: 'bonus', reason: `Grant ${i}`, actorId: admin.id });

    const first = await listAdminActions({ adminId: admin.id, limit: 3 });
    const second = await listAdminActions({ adminId: admin.id, limit: 3, cursor: first.nextCursor! });

    expect([...first.items, ...second.items].map((a) => a.reason)).toEqual(['Grant 4', 'Grant 3', 'Grant 2', 'Grant 1', 'Grant 0']);
    expect(second.nextCursor).toBeNull();
    expect(await ledgerOf(user.id)).toHaveLength(5);
  });

  it.each([
    ['a negative cursor', { cursor: -1 }],
    ['a NaN limit', { limit: Number.NaN }],
    ['an admin id with NUL', { adminId: 'a\u0000b' }],
    ['a huge user id', { userId: 'x'.repeat(10_000) }],
    ['a user id that is an array', { userId: ['a'] }],
  ])('refuses %s with a typed error', async (_label, options) => {
    await expect(listAdminActions(options as never)).rejects.toBeInstanceOf(InvalidCreditsInputError);
  });
});
