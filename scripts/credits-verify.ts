import { findLedgerDrift } from '@/features/common/payments/service/credits-verify';
import { openConfiguredDatabase } from '@/shared/db/client';

// `npm run credits:verify`: recomputes every balance from the ledger; exits 1 listing any drift.
const handle = await openConfiguredDatabase();
try {
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
} finally {
  await handle.close();
}
