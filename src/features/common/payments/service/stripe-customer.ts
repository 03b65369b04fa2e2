import { randomBytes } from 'node:crypto';

import { and, eq, isNull } from 'drizzle-orm';
import Stripe from 'stripe';

import { CheckoutUnavailableError, StripeUnavailableError } from '@/features/common/payments/service/credits-errors';
import { getPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import type { Database, Transaction } from '@/shared/db/client';
import { organizations, users, wallets } from '@/shared/db/schema';

/** The longest any one call to Stripe may take (the SDK retries within it); past it, a typed retryable error. */
export const STRIPE_TIMEOUT_MS = 10_000;

/**
 * Runs a call to Stripe, turning Stripe being down, slow or rate-limiting into
 * `StripeUnavailableError` (retryable). A request Stripe calls invalid is our bug or misconfiguration
 * and is thrown as it is.
 */
export async function callStripe<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (
      error instanceof Stripe.errors.StripeError &&
      !(error instanceof Stripe.errors.StripeInvalidRequestError) &&
      !(error instanceof Stripe.errors.StripeCardError)
    ) {
      throw new StripeUnavailableError(operation, { cause: error });
    }
    throw error;
  }
}

/**
 * For a `.catch` on a call to Stripe the buyer is waiting for: Stripe unavailable becomes
 * `CheckoutUnavailableError` ("try again in a moment"), anything else is thrown as it is.
 */
export function asCheckoutUnavailable(error: unknown): never {
  if (error instanceof StripeUnavailableError) throw new CheckoutUnavailableError({ cause: error });
  throw error;
}

/**
 * The Stripe Customer of a wallet, created the first time it is needed and then reused, so that a
 * wallet's purchases, invoices and saved cards sit under one customer in the Stripe dashboard.
 *
 * Race-safe: concurrent first calls send the same idempotency key (`credits-customer:<wallet>`), so
 * Stripe creates one customer and answers all of them with it, and the id is stored only where none
 * is yet (`… where stripe_customer_id is null`); a caller that loses reads the winner's. In simulator
 * mode the customer is a local id (`cus_sim_…`). Throws `StripeUnavailableError` when Stripe does not
 * answer in time. Never call it inside a transaction: it waits on Stripe.
 */
export async function ensureWalletCustomer(db: Database, walletId: string): Promise<string> {
  const [wallet] = await db
    .select({ customerId: wallets.stripeCustomerId, userId: wallets.userId, organizationId: wallets.organizationId })
    .from(wallets)
    .where(eq(wallets.id, walletId));
  if (!wallet) throw new Error(`No wallet ${walletId}`);
  if (wallet.customerId) return wallet.customerId;

  const gateway = getPaymentsGateway();
  let customerId: string;
  if (gateway.kind === 'simulator') {
    customerId = `cus_sim_${randomBytes(12).toString('hex')}`;
  } else {
    const owner = wallet.userId
      ? (await db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, wallet.userId)))[0]
      : (
          await db
            .select({ email: organizations.billingEmail, name: organizations.name })
            .from(organizations)
            .where(eq(organizations.id, wallet.organizationId!))
        )[0];
    const created = await callStripe('create customer', () =>
      gateway.stripe.customers.create(
        { ...(owner?.email && { email: owner.email }), ...(owner?.name && { name: owner.name }), metadata: { walletId } },
        { idempotencyKey: `credits-customer:${walletId}`, timeout: STRIPE_TIMEOUT_MS },
      ),
    );
    customerId = created.id;
  }
  const [stored] = await db
    .update(wallets)
    .set({ stripeCustomerId: customerId })
    .where(and(eq(wallets.id, walletId), isNull(wallets.stripeCustomerId)))
    .returning({ customerId: wallets.stripeCustomerId });
  if (stored) return stored.customerId!;
  const [winner] = await db.select({ customerId: wallets.stripeCustomerId }).from(wallets).where(eq(wallets.id, walletId));
  return winner!.customerId!;
}

/** The wallet a Stripe customer belongs to, or null (inside a transaction or not). */
export async function walletOfCustomer(db: Database | Transaction, customerId: string): Promise<string | null> {
  const [wallet] = await db.select({ id: wallets.id }).from(wallets).where(eq(wallets.stripeCustomerId, customerId));
  return wallet?.id ?? null;
}
