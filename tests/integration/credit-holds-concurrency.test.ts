import { spawn } from 'node:child_process';

import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

import {
  deductCreditsBonusFirst,
  getCreditsBalance,
  InsufficientCreditsError,
  releaseCreditHold,
  reserveCredits,
  settleCreditHold,
} from '@/features/common/payments/service/credits-balance.service';
import { HoldClosedError } from '@/features/common/payments/service/credits-errors';
import { expireDueCredits } from '@/features/common/payments/service/ledger/expiry';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { getDb, queryRows } from '@/shared/db/client';
import { balanceRowOf, createUser, expectLedgerMatchesBalances, ledgerOf } from '../helpers/factories';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

// Real races need real Postgres (CI sets TEST_DATABASE_URL); on PGlite these check the bookkeeping.
const database = setupTestDatabase({ poolSize: 32 });

async function userWithPurchased(credits: number) {
  const user = await createUser();
  await addCreditsDirectly({ userId: user.id, credits, creditsType: 'purchased', reason: 'Pack' });
  return user;
}

describe(`holds under concurrency (${testDriver})`, () => {
  it('200 concurrent reserves of 1 on 150 credits make exactly 150 holds', async () => {
    const user = await userWithPurchased(150);
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => reserveCredits({ userId: user.id, credits: 1, reason: `Job ${i}` })));
    const refused = outcomes.filter((o) => o.status === 'rejected');
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(InsufficientCreditsError);
    expect(outcomes.length - refused.length).toBe(150);
    expect(await balanceRowOf(user.id)).toMatchObject({ purchased: 0, held: 150 });
    const db = await getDb();
    const [open] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from credit_holds where wallet_id = ${`user:${user.id}`} and status = 'open'`,
    );
    expect(Number(open!.n)).toBe(150);
    await expectLedgerMatchesBalances();
  });

  it('settles, releases and expiry racing on the same holds give each hold exactly one outcome', async () => {
    const user = await userWithPurchased(1000);
    const holds = await Promise.all(Array.from({ length: 40 }, (_, i) => reserveCredits({ userId: user.id, credits: 20, reason: `Job ${i}` })));
    const db = await getDb();
    // Half of them run out of time while settles and releases for all of them race.
    const expiring = holds.filter((_, i) => i % 2 === 0).map((h) => h.holdId);
    const calls: (() => Promise<unknown>)[] = [];
    for (const { holdId } of holds) {
      calls.push(() => settleCreditHold({ userId: user.id, holdId, credits: 7 }));
      calls.push(() => settleCreditHold({ userId: user.id, holdId, credits: 7 }));
      calls.push(() => releaseCreditHold({ userId: user.id, holdId }));
    }
    calls.push(async () => {
      await db.execute(sql`update credit_holds set expires_at = now() - interval '1 second' where id in ${sql.raw(`('${expiring.join("','")}')`)}`);
      await db.execute(sql`update credit_balances set next_expiry_at = now() - interval '1 second' where wallet_id = ${`user:${user.id}`}`);
      return expireDueCredits(db);
    });
    const outcomes = await Promise.allSettled(calls.sort(() => Math.random() - 0.5).map((call) => call()));
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(HoldClosedError);

    const entries = await ledgerOf(user.id);
    for (const { holdId } of holds) {
      const closing = entries.filter((e) => e.holdId === holdId && e.type !== 'hold');
      expect(closing).toHaveLength(1);
    }
    const settled = entries.filter((e) => e.type === 'hold_settled').length;
    expect(await balanceRowOf(user.id)).toMatchObject({ held: 0, used: settled * 7, purchased: 1000 - settled * 7 });
    await expectLedgerMatchesBalances();
  });

  it('deductions and grants racing holds never overdraw and lose no update', async () => {
    const user = await userWithPurchased(300);
    const calls: (() => Promise<number>)[] = [
      ...Array.from({ length: 100 }, (_, i) => () => deductCreditsBonusFirst({ userId: user.id, credits: 3, reason: `Use ${i}` }).then(() => 3)),
      ...Array.from({ length: 60 }, (_, i) => async () => {
        const hold = await reserveCredits({ userId: user.id, credits: 5, reason: `Job ${i}` });
        const charged = i % 3;
        if (i % 2) await settleCreditHold({ userId: user.id, holdId: hold.holdId, credits: charged });
        else await releaseCreditHold({ userId: user.id, holdId: hold.holdId });
        return i % 2 ? charged : 0;
      }),
      ...Array.from(
        { length: 40 },
        (_, i) => () => addCreditsDirectly({ userId: user.id, credits: 2, creditsType: i % 2 ? 'bonus' : 'purchased', reason: `Grant ${i}` }).then(() => 0),
      ),
    ];
    const outcomes = await Promise.allSettled(calls.sort(() => Math.random() - 0.5).map((call) => call()));
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(InsufficientCreditsError);
    const spent = outcomes.reduce((sum, o) => sum + (o.status === 'fulfilled' ? o.value : 0), 0);

    const balance = await getCreditsBalance(user.id);
    expect(balance).toMatchObject({ creditsUsed: spent, creditsHeld: 0, creditsBalance: 300 + 80 - spent });
    await expectLedgerMatchesBalances();
  });

  it.runIf(testDriver === 'postgres')(
    'gives back what a worker killed between reserve and settle was holding',
    async () => {
      const user = await userWithPurchased(100);
      // A separate process reserves for 1 s and is killed with SIGKILL before it can settle or release.
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--eval',
          `
        const { openPostgres, setDatabase } = await import('@/shared/db/client');
        const { reserveCredits } = await import('@/features/common/payments/service/credits-balance.service');
        setDatabase(await openPostgres(process.env.HOLD_DB_URL));
        const hold = await reserveCredits({ userId: process.env.HOLD_USER, credits: 60, reason: 'Worker job', expiresInSeconds: 1 });
        process.stdout.write('held ' + hold.holdId + '\\n');
        process.kill(process.pid, 'SIGKILL');
        `,
        ],
        { env: { ...process.env, HOLD_DB_URL: database.url, HOLD_USER: user.id }, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
      expect(signal).toBe('SIGKILL');
      expect(output).toMatch(/^held /);
      expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBalance: 40, creditsHeld: 60 });

      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBalance: 100, creditsHeld: 0 });
      await expireDueCredits(await getDb());
      expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant', 'hold', 'hold_expired']);
      await expectLedgerMatchesBalances();
    },
    30_000,
  );
});
