import { findLedgerDrift } from '@/features/common/payments/service/credits-verify';
import { openConfiguredDatabase } from '@/shared/db/client';

// `npm run credits:verify`: recomputes every balance from the ledger; exits 1 listing any drift.
const handle = await openConfiguredDatabase();
try {
  const drift = await findLedgerDrift(handle.db);
  if (drift.length === 0) {
    console.log('Ledger verified: every balance equals the sum of its entries.');
  } else {
    console.error(`Ledger drift for ${drift.length} user(s):`);
    for (const { userId, balance, ledger } of drift) {
      console.error(
        `  ${userId}: balance purchased=${balance.purchased} bonus=${balance.bonus} used=${balance.used}` +
          ` | ledger purchased=${ledger.purchased} bonus=${ledger.bonus} used=${ledger.used}`,
      );
    }
    process.exitCode = 1;
  }
} finally {
  await handle.close();
}
