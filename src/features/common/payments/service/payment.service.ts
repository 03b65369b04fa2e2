import { addCreditsSchema, parseCreditsInput, type AddCreditsInput } from '@/features/common/payments/service/credits-input.schema';
import { balanceAfter, type CreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { applyOnce, creditStatement, runLedgerStatement } from '@/features/common/payments/service/credits-ledger';
import { getDb } from '@/shared/db/client';
import type { CreditTransactionType } from '@/shared/db/schema';

export interface AddCreditsResult extends CreditsBalance {
  transactionId: string;
}

/**
 * Adds credits to a user's bonus or purchased bucket without a payment: admin grants, promotions,
 * compensation. One atomic statement writes the balance and its ledger entry; an `actorId` records
 * the admin who granted them (otherwise the system did).
 *
 * With an `idempotencyKey`, a retry returns the first result and grants once; the same key with other
 * arguments throws `IdempotencyConflictError`. Bad arguments (`InvalidCreditsInputError`), an unknown
 * user (`UserNotFoundError`) and disabled credits (`CreditsDisabledError`) write nothing.
 */
export async function addCreditsDirectly(
  input: AddCreditsInput,
  options: { type?: Extract<CreditTransactionType, 'grant' | 'signup_bonus' | 'correction'> } = {},
): Promise<AddCreditsResult> {
  const { userId, credits, creditsType, reason, actorId, idempotencyKey, metadata } = parseCreditsInput(addCreditsSchema, input);
  const type = options.type ?? 'grant';
  const db = await getDb();
  const ctx = {
    userId,
    reason,
    actorType: actorId ? ('admin' as const) : ('system' as const),
    actorId,
    idempotencyKey,
    requestFingerprint: idempotencyKey ? JSON.stringify([type, creditsType, credits, reason]) : null,
    metadata,
  };
  const entry = await applyOnce(db, ctx, () => runLedgerStatement(db, creditStatement(type, creditsType, credits, ctx), userId));
  // A credit statement always yields its entry; only a deduction can be held back.
  return { ...balanceAfter(entry!), transactionId: String(entry!.id) };
}
