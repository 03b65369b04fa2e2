import { findLedgerDrift } from '@/features/common/payments/service/credits-verify';

import { runWithDatabase } from './script-database';

// `npm run credits:verify`: recomputes every balance from the ledger; exits 1 listing any drift, or
// when the database cannot be reached.
await runWithDatabase(
  'credits:verify',
  async (handle) => {
    const drift = await findLedgerDrift(handle.db);
    if (drift.length === 0) {
      console.log('Ledger verified: every balance equals the sum of its entries, its lots and its open holds.');
    } else {
      console.error(`Ledger drift in ${new Set(drift.map((d) => d.walletId)).size} wallet(s):`);
      const against = { entries: 'sum of entries', lots: 'sum of lots', holds: 'open holds' } as const;
      for (const { walletId, check, balance, expected } of drift) {
        console.error(
          `  ${walletId}: balance purchased=${balance.purchased} bonus=${balance.bonus} held=${balance.held} used=${balance.used}` +
            ` | ${against[check]} purchased=${expected.purchased} bonus=${expected.bonus} held=${expected.held} used=${expected.used}`,
        );
      }
      process.exitCode = 1;
    }
  },
  { statementDeadlineMs: 10 * 60 * 1000 },
);
