import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deductCreditsBonusFirst, getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { findLedgerDrift } from '@/features/common/payments/service/credits-verify';
import { migrateDatabase, queryRows, setDatabase, type DatabaseHandle } from '@/shared/db/client';
import { lotsOf } from '../helpers/factories';
import { migrationsUpTo, openEmptyDatabase } from '../helpers/empty-database';
import { testDriver } from '../helpers/test-database';

/*
 * The move to wallets, lots and holds (0006–0009) on a database that already has credits in it:
 * a database migrated up to 0005, filled as the module then filled it, then migrated to the end.
 */
describe(`the wallet migration on a database with data (${testDriver})`, () => {
  let handle: DatabaseHandle;
  const rows = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) => queryRows<T>(handle.db, query);

  beforeAll(async () => {
    handle = await openEmptyDatabase();
    const before = await migrationsUpTo('0005_purchase_amount_paid');
    try {
      await migrateDatabase(handle, before.folder);
    } finally {
      await before.remove();
    }
    // Alice bought 300, got 50 bonus and spent 20 (bonus first); Bob never had credits; Carol has entries that sum to her row.
    await handle.db.execute(sql`
      insert into users (id, email) values ('alice', 'alice@example.com'), ('bob', 'bob@example.com'), ('carol', 'carol@example.com')`);
    await handle.db.execute(sql`
      insert into credit_balances (user_id, purchased, bonus, used) values ('alice', 300, 30, 20), ('carol', 0, 5, 0)`);
    await handle.db.execute(sql`
      insert into credit_transactions (user_id, type, purchased_delta, bonus_delta, used_delta, purchased_after, bonus_after, used_after, reason, actor_type, idempotency_key, request_fingerprint)
      values ('alice', 'signup_bonus', 0, 50, 0, 0, 50, 0, 'Sign-up bonus', 'system', 'system:sign-up-bonus', '["signup_bonus","bonus",50,"Sign-up bonus"]'),
             ('alice', 'purchase', 300, 0, 0, 300, 50, 0, 'Purchase: Starter Pack', 'stripe', 'system:checkout:cs_1', null),
             ('alice', 'deduction', 0, -20, 20, 300, 30, 20, 'Run generation', 'user', 'generate:k1', '["deduct",20,"Run generation"]'),
             ('carol', 'grant', 0, 5, 0, 0, 5, 0, 'Promo', 'system', null, null)`);
    await handle.db.execute(sql`
      insert into credit_purchases (user_id, package_id, credits, amount_minor, currency, status, success_url, cancel_url, stripe_checkout_session_id)
      values ('alice', 'starter', 300, 300, 'usd', 'paid', 'http://localhost:3000/a', 'http://localhost:3000/b', 'cs_1')`);

    await migrateDatabase(handle);
    setDatabase(handle);
  });

  afterAll(() => handle?.close());

  it('gives every existing user a personal wallet with a balance row', async () => {
    const wallets = await rows<{ id: string; kind: string; user_id: string }>(sql`select id, kind, user_id from wallets order by id`);
    expect(wallets).toEqual([
      { id: 'user:alice', kind: 'personal', user_id: 'alice' },
      { id: 'user:bob', kind: 'personal', user_id: 'bob' },
      { id: 'user:carol', kind: 'personal', user_id: 'carol' },
    ]);
    const balances = await rows<{ wallet_id: string }>(sql`select wallet_id from credit_balances order by wallet_id`);
    expect(balances.map((b) => b.wallet_id)).toEqual(['user:alice', 'user:bob', 'user:carol']);
  });

  it('keeps every balance, entry and purchase, now on the owner’s wallet', async () => {
    expect(await getCreditsBalance('alice')).toEqual({ creditsBalance: 330, creditsPurchased: 300, creditsBonus: 30, creditsHeld: 0, creditsUsed: 20 });
    expect(await getCreditsBalance('bob')).toEqual({ creditsBalance: 0, creditsPurchased: 0, creditsBonus: 0, creditsHeld: 0, creditsUsed: 0 });
    const entries = await rows<{ wallet_id: string; n: string }>(
      sql`select wallet_id, count(*) as n from credit_transactions group by wallet_id order by wallet_id`,
    );
    expect(entries.map((e) => [e.wallet_id, Number(e.n)])).toEqual([
      ['user:alice', 3],
      ['user:carol', 1],
    ]);
    expect(await rows(sql`select wallet_id, user_id from credit_purchases`)).toEqual([{ wallet_id: 'user:alice', user_id: 'alice' }]);
  });

  it('turns each balance into one never-expiring lot per bucket, so the books agree', async () => {
    expect((await lotsOf('alice')).map((lot) => [lot.bucket, lot.source, lot.creditsLeft, lot.expiresAt])).toEqual([
      ['bonus', 'opening_balance', 30, null],
      ['purchased', 'opening_balance', 300, null],
    ]);
    expect(await lotsOf('bob')).toEqual([]);
    expect(await findLedgerDrift(handle.db)).toEqual([]);
  });

  it('spends the migrated credits bonus first and still honours idempotency keys written before it', async () => {
    const replay = await deductCreditsBonusFirst({ userId: 'alice', credits: 20, reason: 'Run generation', idempotencyKey: 'generate:k1' });
    expect(replay).toMatchObject({ deductedFromBonus: 20, creditsUsed: 20 });
    await expect(deductCreditsBonusFirst({ userId: 'alice', credits: 10, reason: 'Run generation', idempotencyKey: 'generate:k1' })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    const spent = await deductCreditsBonusFirst({ userId: 'alice', credits: 40, reason: 'Render' });
    expect(spent).toMatchObject({ deductedFromBonus: 30, deductedFromPurchased: 10, creditsBalance: 290 });
    expect(await findLedgerDrift(handle.db)).toEqual([]);
  });
});
