import type { AdapterAccountType } from 'next-auth/adapters';
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/*
 * The whole schema in one file, each table beside the types inferred from it. Migrations in
 * `drizzle/` are generated from this file by `npm run db:generate`.
 *
 * The four auth tables keep the property names Auth.js's drizzle adapter expects (`emailVerified`,
 * `userId`, `sessionToken` …); the columns underneath are snake_case like the rest.
 */

export const userRole = pgEnum('user_role', ['user', 'admin']);
export type UserRole = (typeof userRole.enumValues)[number];

export const users = pgTable('users', {
  id: text('id')
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID()),
  name: text('name'),
  email: text('email').unique(),
  emailVerified: timestamp('email_verified', { mode: 'date', withTimezone: true }),
  image: text('image'),
  role: userRole('role').notNull().default('user'),
  /**
   * When a sign-in link first proved the address (`emailVerified` moves on every link). An OAuth
   * account linked before this moment was linked by someone who had not proved they own the address.
   */
  emailProvenAt: timestamp('email_proven_at', { mode: 'date', withTimezone: true }),
  /** The currency the user last chose to pay in (the top-up modal's choice, remembered). */
  preferredCurrency: text('preferred_currency'),
  createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
});
export type User = typeof users.$inferSelect;

export const accounts = pgTable(
  'accounts',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').$type<AdapterAccountType>().notNull(),
    provider: text('provider').notNull(),
    providerAccountId: text('provider_account_id').notNull(),
    refresh_token: text('refresh_token'),
    access_token: text('access_token'),
    expires_at: integer('expires_at'),
    token_type: text('token_type'),
    scope: text('scope'),
    id_token: text('id_token'),
    session_state: text('session_state'),
    /** When the account was linked (accounts linked before this column existed read as its migration). */
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  },
  (account) => [primaryKey({ columns: [account.provider, account.providerAccountId] }), index('accounts_user_id_idx').on(account.userId)],
);

export const sessions = pgTable(
  'sessions',
  {
    sessionToken: text('session_token').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expires: timestamp('expires', { mode: 'date', withTimezone: true }).notNull(),
  },
  (session) => [index('sessions_user_id_idx').on(session.userId)],
);

export const verificationTokens = pgTable(
  'verification_tokens',
  { identifier: text('identifier').notNull(), token: text('token').notNull(), expires: timestamp('expires', { mode: 'date', withTimezone: true }).notNull() },
  (token) => [primaryKey({ columns: [token.identifier, token.token] })],
);

/** Emails kept instead of sent when no email provider is configured (the dev outbox). */
export const emailOutbox = pgTable(
  'email_outbox',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    to: text('to').notNull(),
    from: text('from').notNull(),
    subject: text('subject').notNull(),
    html: text('html').notNull(),
    text: text('text').notNull(),
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  },
  (email) => [index('email_outbox_to_created_at_idx').on(email.to, email.createdAt)],
);
export type OutboxEmail = typeof emailOutbox.$inferSelect;

/*
 * Organisations. A user belongs to any number of them; owners and admins buy credits for the
 * organisation's wallet and set per-member monthly caps, members spend from it.
 */

export const organizationRole = pgEnum('organization_role', ['owner', 'admin', 'member']);
export type OrganizationRole = (typeof organizationRole.enumValues)[number];

export const organizations = pgTable('organizations', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  name: text('name').notNull(),
  /** Where receipts for the organisation's purchases go, besides the buyer. */
  billingEmail: text('billing_email'),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
});
export type Organization = typeof organizations.$inferSelect;

export const organizationMembers = pgTable(
  'organization_members',
  {
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: organizationRole('role').notNull().default('member'),
    /** Credits this member may spend from the organisation's wallet per calendar month (UTC); null: no cap. */
    monthlyCap: bigint('monthly_cap', { mode: 'number' }),
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  },
  (member) => [
    primaryKey({ columns: [member.organizationId, member.userId] }),
    index('organization_members_user_id_idx').on(member.userId),
    check('organization_members_cap_non_negative', sql`${member.monthlyCap} is null or ${member.monthlyCap} >= 0`),
  ],
);
export type OrganizationMember = typeof organizationMembers.$inferSelect;

/** Invitations by email; the link carries a token whose hash is kept here, valid until `expiresAt`. */
export const organizationInvites = pgTable(
  'organization_invites',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: organizationRole('role').notNull().default('member'),
    tokenHash: text('token_hash').notNull().unique(),
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { mode: 'date', withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { mode: 'date', withTimezone: true }),
    revokedAt: timestamp('revoked_at', { mode: 'date', withTimezone: true }),
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  },
  (invite) => [index('organization_invites_organization_id_idx').on(invite.organizationId)],
);
export type OrganizationInvite = typeof organizationInvites.$inferSelect;

/*
 * Credits. A wallet owns credits: a user's personal wallet (`user:<user id>`) or an organisation's
 * (`org:<organisation id>`), created with its owner by a trigger. Every credit table is keyed by
 * wallet, so the data can be distributed by wallet when one Postgres is not enough.
 *
 * One balance row per wallet, an append-only ledger, lots and holds. Every change is made by one of
 * the `credits_*` SQL functions (drizzle/0009_ledger_functions.sql), which lock the balance row,
 * change the row, its lots and holds, and append the ledger entries in one transaction. The
 * invariant `credits:verify` proves: the row equals the sum of its entries, `purchased` and `bonus`
 * equal the credits left in the wallet's lots, and `held` equals its open holds.
 */

const MAX_CREDITS = sql.raw(String(Number.MAX_SAFE_INTEGER));

export const walletKind = pgEnum('wallet_kind', ['personal', 'organization']);
export type WalletKind = (typeof walletKind.enumValues)[number];

export const wallets = pgTable(
  'wallets',
  {
    id: text('id').primaryKey(),
    kind: walletKind('kind').notNull(),
    userId: text('user_id')
      .unique()
      .references(() => users.id, { onDelete: 'cascade' }),
    organizationId: uuid('organization_id')
      .unique()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** The Stripe Customer purchases, invoices and saved cards of this wallet sit under. */
    stripeCustomerId: text('stripe_customer_id').unique(),
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  },
  (wallet) => [
    check(
      'wallets_one_owner',
      sql`(${wallet.kind} = 'personal' and ${wallet.userId} is not null and ${wallet.organizationId} is null) or (${wallet.kind} = 'organization' and ${wallet.organizationId} is not null and ${wallet.userId} is null)`,
    ),
  ],
);
export type Wallet = typeof wallets.$inferSelect;

export const creditBalances = pgTable(
  'credit_balances',
  {
    walletId: text('wallet_id')
      .primaryKey()
      .references(() => wallets.id, { onDelete: 'cascade' }),
    /** Spendable purchased credits: the sum of the wallet's purchased lots (held credits excluded). */
    purchased: bigint('purchased', { mode: 'number' }).notNull().default(0),
    /** Spendable bonus credits: the sum of the wallet's bonus lots (held credits excluded). */
    bonus: bigint('bonus', { mode: 'number' }).notNull().default(0),
    /** Credits in open holds: out of the buckets until settled, released or expired. */
    held: bigint('held', { mode: 'number' }).notNull().default(0),
    used: bigint('used', { mode: 'number' }).notNull().default(0),
    /**
     * No lot or open hold of this wallet expires before this time (null: none expires). A hint
     * that keeps the hot path to one comparison: it may be earlier than the truth, never later.
     */
    nextExpiryAt: timestamp('next_expiry_at', { mode: 'date', withTimezone: true }),
    /**
     * Low-balance alert: when a change takes available credits (purchased + bonus) from at least this
     * to below it, the same statement queues one alert (a trigger, drizzle/0017). Null or 0: off.
     */
    alertThreshold: bigint('alert_threshold', { mode: 'number' }),
    /**
     * Auto top-up: the threshold of the wallet's auto top-up while it is on and not paused (null
     * otherwise), where the ledger's statement sees it: a change that takes available credits from at
     * least this to below it queues one `auto_top_up` job (a trigger, drizzle/0018).
     */
    autoTopUpThreshold: bigint('auto_top_up_threshold', { mode: 'number' }),
    updatedAt: timestamp('updated_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  },
  (balance) => [
    check('credit_balances_purchased_non_negative', sql`${balance.purchased} >= 0`),
    check('credit_balances_bonus_non_negative', sql`${balance.bonus} >= 0`),
    check('credit_balances_held_non_negative', sql`${balance.held} >= 0`),
    check('credit_balances_used_non_negative', sql`${balance.used} >= 0`),
    check('credit_balances_alert_threshold_non_negative', sql`${balance.alertThreshold} is null or ${balance.alertThreshold} >= 0`),
    check('credit_balances_auto_top_up_threshold_positive', sql`${balance.autoTopUpThreshold} is null or ${balance.autoTopUpThreshold} > 0`),
    check(
      'credit_balances_within_safe_integers',
      sql`${balance.purchased} + ${balance.bonus} + ${balance.held} <= ${MAX_CREDITS} and ${balance.used} <= ${MAX_CREDITS}`,
    ),
    index('credit_balances_next_expiry_at_idx').on(balance.nextExpiryAt),
  ],
);
export type CreditBalance = typeof creditBalances.$inferSelect;

export const creditTransactionType = pgEnum('credit_transaction_type', [
  'purchase',
  'grant',
  'signup_bonus',
  'deduction',
  'refund',
  'correction',
  'hold',
  'hold_settled',
  'hold_released',
  'hold_expired',
  'expiration',
]);
export type CreditTransactionType = (typeof creditTransactionType.enumValues)[number];

export const creditActorType = pgEnum('credit_actor_type', ['user', 'admin', 'system', 'stripe']);
export type CreditActorType = (typeof creditActorType.enumValues)[number];

export const creditBucket = pgEnum('credit_bucket', ['purchased', 'bonus']);
export type CreditBucket = (typeof creditBucket.enumValues)[number];

export const creditTransactions = pgTable(
  'credit_transactions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    walletId: text('wallet_id')
      .notNull()
      .references(() => wallets.id, { onDelete: 'cascade' }),
    type: creditTransactionType('type').notNull(),
    purchasedDelta: bigint('purchased_delta', { mode: 'number' }).notNull(),
    bonusDelta: bigint('bonus_delta', { mode: 'number' }).notNull(),
    heldDelta: bigint('held_delta', { mode: 'number' }).notNull().default(0),
    usedDelta: bigint('used_delta', { mode: 'number' }).notNull(),
    purchasedAfter: bigint('purchased_after', { mode: 'number' }).notNull(),
    bonusAfter: bigint('bonus_after', { mode: 'number' }).notNull(),
    heldAfter: bigint('held_after', { mode: 'number' }).notNull().default(0),
    usedAfter: bigint('used_after', { mode: 'number' }).notNull(),
    reason: text('reason').notNull(),
    actorType: creditActorType('actor_type').notNull(),
    /** Who caused it: the spending member, the granting admin; null for the system and Stripe. */
    actorId: text('actor_id'),
    /** What the credits were spent on (`generation`), for usage by feature. */
    feature: text('feature'),
    /** A caller's key: a retry with the same key (per wallet) returns this entry instead of acting again. */
    idempotencyKey: text('idempotency_key'),
    /** What the keyed call asked for, so a reused key with other arguments is caught. */
    requestFingerprint: text('request_fingerprint'),
    /** The lot this entry created or expired. */
    lotId: uuid('lot_id'),
    /** The hold this entry opened or closed. */
    holdId: uuid('hold_id'),
    stripeCheckoutSessionId: text('stripe_checkout_session_id'),
    stripePaymentIntentId: text('stripe_payment_intent_id'),
    stripeEventId: text('stripe_event_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  },
  (entry) => [
    uniqueIndex('credit_transactions_wallet_idempotency_key_idx').on(entry.walletId, entry.idempotencyKey),
    // A wallet's history, newest first. Type and time are key columns so that filtering by them is
    // checked inside the index, with no visit to the table for entries that do not match.
    index('credit_transactions_wallet_history_idx').on(entry.walletId, entry.id.desc(), entry.type, entry.createdAt),
    // A wallet's entries by time: usage by day and feature is an index-only scan of the window (most
    // entries are usage, so a partial index would save little), and the history's date filter is a
    // range of it.
    index('credit_transactions_wallet_time_idx').on(entry.walletId, entry.createdAt, entry.feature, entry.usedDelta),
    // Date ranges over the whole ledger (the books, exports): entries arrive in time order, so a
    // block-range index is tiny and nearly free to keep.
    index('credit_transactions_created_at_brin_idx').using('brin', entry.createdAt),
    // The audit list: admins' changes are few among millions of entries.
    index('credit_transactions_admin_actions_idx')
      .on(entry.id.desc())
      .where(sql`${entry.actorType} = 'admin'`),
    index('credit_transactions_hold_id_idx')
      .on(entry.holdId)
      .where(sql`${entry.holdId} is not null`),
  ],
);
export type CreditTransaction = typeof creditTransactions.$inferSelect;

export const creditLotSource = pgEnum('credit_lot_source', ['purchase', 'grant', 'signup_bonus', 'correction', 'opening_balance']);
export type CreditLotSource = (typeof creditLotSource.enumValues)[number];

/**
 * A slice of a bucket with its own expiry: every credit that comes in is a lot. Spending takes bonus
 * lots before purchased ones and, within a bucket, the soonest-expiring first (never-expiring last,
 * older before newer). An expired lot is never spendable, swept or not; the sweep writes one
 * `expiration` entry per lot and zeroes it.
 */
export const creditLots = pgTable(
  'credit_lots',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    walletId: text('wallet_id')
      .notNull()
      .references(() => wallets.id, { onDelete: 'cascade' }),
    bucket: creditBucket('bucket').notNull(),
    source: creditLotSource('source').notNull(),
    creditsGranted: bigint('credits_granted', { mode: 'number' }).notNull(),
    creditsLeft: bigint('credits_left', { mode: 'number' }).notNull(),
    expiresAt: timestamp('expires_at', { mode: 'date', withTimezone: true }),
    purchaseId: uuid('purchase_id'),
    /** When the sweep (or an admin) ended it; its remaining credits went out in an `expiration` entry. */
    expiredAt: timestamp('expired_at', { mode: 'date', withTimezone: true }),
    /** A reminder that it expires soon was queued (once per lot). */
    reminderQueuedAt: timestamp('reminder_queued_at', { mode: 'date', withTimezone: true }),
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  },
  (lot) => [
    index('credit_lots_spend_order_idx')
      .on(lot.walletId, lot.bucket, lot.expiresAt, lot.createdAt)
      .where(sql`${lot.creditsLeft} > 0`),
    index('credit_lots_due_idx')
      .on(lot.expiresAt)
      .where(sql`${lot.creditsLeft} > 0 and ${lot.expiresAt} is not null`),
    index('credit_lots_purchase_id_idx').on(lot.purchaseId),
    check('credit_lots_left_within_range', sql`${lot.creditsLeft} >= 0 and ${lot.creditsGranted} > 0`),
  ],
);
export type CreditLot = typeof creditLots.$inferSelect;

export const creditHoldStatus = pgEnum('credit_hold_status', ['open', 'settled', 'released', 'expired']);
export type CreditHoldStatus = (typeof creditHoldStatus.enumValues)[number];

/**
 * Credits reserved for work whose cost is known later. Opening moves them out of the buckets into
 * `held`; settling charges the actual amount and returns the rest to the lots they came from;
 * releasing (or expiry) returns all of it. Closed holds keep their outcome, so a repeated settle or
 * release returns the first result.
 */
export const creditHolds = pgTable(
  'credit_holds',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    walletId: text('wallet_id')
      .notNull()
      .references(() => wallets.id, { onDelete: 'cascade' }),
    /** The user who reserved: for an organisation's wallet, the member whose cap it counts against. */
    actorId: text('actor_id'),
    status: creditHoldStatus('status').notNull().default('open'),
    credits: bigint('credits', { mode: 'number' }).notNull(),
    fromBonus: bigint('from_bonus', { mode: 'number' }).notNull(),
    fromPurchased: bigint('from_purchased', { mode: 'number' }).notNull(),
    /** What settling charged (0 … held, more with overage); null until settled. */
    settledCredits: bigint('settled_credits', { mode: 'number' }),
    reason: text('reason').notNull(),
    feature: text('feature'),
    idempotencyKey: text('idempotency_key'),
    requestFingerprint: text('request_fingerprint'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    /** The first day (UTC) of the month whose member usage this hold counts in. */
    usagePeriod: timestamp('usage_period', { mode: 'date', withTimezone: true }),
    expiresAt: timestamp('expires_at', { mode: 'date', withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { mode: 'date', withTimezone: true }),
    /** The ledger entry that closed it. */
    closingTransactionId: bigint('closing_transaction_id', { mode: 'number' }),
  },
  (hold) => [
    uniqueIndex('credit_holds_wallet_idempotency_key_idx').on(hold.walletId, hold.idempotencyKey),
    index('credit_holds_open_wallet_idx')
      .on(hold.walletId, hold.expiresAt)
      .where(sql`${hold.status} = 'open'`),
    index('credit_holds_due_idx')
      .on(hold.expiresAt)
      .where(sql`${hold.status} = 'open'`),
    check(
      'credit_holds_amounts',
      sql`${hold.credits} > 0 and ${hold.fromBonus} >= 0 and ${hold.fromPurchased} >= 0 and ${hold.fromBonus} + ${hold.fromPurchased} = ${hold.credits}`,
    ),
  ],
);
export type CreditHold = typeof creditHolds.$inferSelect;

/** Which lots a hold took its credits from, so what it does not charge goes back where it came from. */
export const creditHoldLots = pgTable(
  'credit_hold_lots',
  {
    holdId: uuid('hold_id')
      .notNull()
      .references(() => creditHolds.id, { onDelete: 'cascade' }),
    lotId: uuid('lot_id')
      .notNull()
      .references(() => creditLots.id, { onDelete: 'cascade' }),
    walletId: text('wallet_id').notNull(),
    bucket: creditBucket('bucket').notNull(),
    credits: bigint('credits', { mode: 'number' }).notNull(),
  },
  (allocation) => [primaryKey({ columns: [allocation.holdId, allocation.lotId] }), check('credit_hold_lots_positive', sql`${allocation.credits} > 0`)],
);

/** What each member spent (and holds) from an organisation's wallet per month, for caps. */
export const memberCreditUsage = pgTable(
  'member_credit_usage',
  {
    walletId: text('wallet_id')
      .notNull()
      .references(() => wallets.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    /** The first day (UTC) of the month. */
    period: timestamp('period', { mode: 'date', withTimezone: true }).notNull(),
    credits: bigint('credits', { mode: 'number' }).notNull().default(0),
  },
  (usage) => [primaryKey({ columns: [usage.walletId, usage.userId, usage.period] }), check('member_credit_usage_non_negative', sql`${usage.credits} >= 0`)],
);
/**
 * Rate-limit counters, kept by rate-limiter-flexible's Drizzle store (it names the columns): one row
 * per limit and key (a SHA-256 of the email, IP address or user id, so no address is stored), its
 * count in the current window and when the window ends. Expired rows are deleted by the library.
 */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: timestamp('expire', { mode: 'date', withTimezone: true }),
});

/*
 * Responses of paid requests, by the caller's idempotency key: a retry with the same key and the same
 * request gets the stored response instead of the work being done (and paid) again; the same key with
 * another request is a conflict. A row is `in_progress` while its request runs, held until
 * `locked_until`, after which a retry may take it over (its runner died); a request that fails
 * deletes its row, so only completed work is ever replayed.
 */
export const idempotentRequestStatus = pgEnum('idempotent_request_status', ['in_progress', 'completed']);

export const idempotentRequests = pgTable(
  'idempotent_requests',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    idempotencyKey: text('idempotency_key').notNull(),
    requestFingerprint: text('request_fingerprint').notNull(),
    status: idempotentRequestStatus('status').notNull().default('in_progress'),
    lockedUntil: timestamp('locked_until', { mode: 'date', withTimezone: true }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { mode: 'date', withTimezone: true }),
  },
  (request) => [primaryKey({ columns: [request.userId, request.idempotencyKey] })],
);
export type IdempotentRequest = typeof idempotentRequests.$inferSelect;

/*
 * Purchases. A row is written, pending, before the buyer is sent to checkout, with the credits and
 * amount the server decided; fulfilment credits from this row, never from what an event or the
 * browser says. The status change to `paid` and the credit commit together.
 */

/**
 * `needs_review`: Stripe charged something other than the purchase's price (less the discounts Stripe
 * reports), or in another currency. Nothing was credited; an admin decides (see the admin credits page).
 */
export const creditPurchaseStatus = pgEnum('credit_purchase_status', ['pending', 'paid', 'failed', 'expired', 'needs_review']);
export type CreditPurchaseStatus = (typeof creditPurchaseStatus.enumValues)[number];
/** How a purchase was paid: through Stripe Checkout by the buyer, or off-session by an auto top-up. */
export const creditPurchaseKind = pgEnum('credit_purchase_kind', ['checkout', 'auto_top_up']);
export type CreditPurchaseKind = (typeof creditPurchaseKind.enumValues)[number];

export const creditPurchases = pgTable(
  'credit_purchases',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    /** The buyer. */
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    /** The wallet the credits go to: the buyer's own or an organisation's. */
    walletId: text('wallet_id')
      .notNull()
      .references(() => wallets.id, { onDelete: 'cascade' }),
    /** The configured package, or null for a manual amount. */
    packageId: text('package_id'),
    credits: bigint('credits', { mode: 'number' }).notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    status: creditPurchaseStatus('status').notNull().default('pending'),
    kind: creditPurchaseKind('kind').notNull().default('checkout'),
    /** An auto top-up's trigger (the `auto_top_up` job's reference): one purchase per crossing. */
    autoTopUpReference: text('auto_top_up_reference').unique(),
    /** Why an automatic charge failed, as Stripe said it (`card_declined`, `authentication_required` …). */
    failureCode: text('failure_code'),
    failureMessage: text('failure_message'),
    /** Where checkout returns the buyer (kept for the simulator, which plays Stripe's part). */
    successUrl: text('success_url').notNull(),
    cancelUrl: text('cancel_url').notNull(),
    stripeCheckoutSessionId: text('stripe_checkout_session_id').unique(),
    stripePaymentIntentId: text('stripe_payment_intent_id').unique(),
    /** What Stripe actually charged (the session's `amount_total`), set at fulfilment. */
    amountPaidMinor: bigint('amount_paid_minor', { mode: 'number' }),
    /** The currency Stripe charged in, set at fulfilment (it differs from `currency` only under review). */
    currencyPaid: text('currency_paid'),
    /** Before discounts and tax (the session's `amount_subtotal`), set at fulfilment. */
    amountSubtotalMinor: bigint('amount_subtotal_minor', { mode: 'number' }),
    /** Promotion codes and coupons Stripe applied (`total_details.amount_discount`). */
    amountDiscountMinor: bigint('amount_discount_minor', { mode: 'number' }),
    /** Tax Stripe added or included (`total_details.amount_tax`). */
    amountTaxMinor: bigint('amount_tax_minor', { mode: 'number' }),
    /** The Stripe invoice of the purchase (`invoiceCreation`), and its hosted page, fetched once at fulfilment. */
    stripeInvoiceId: text('stripe_invoice_id'),
    invoiceUrl: text('invoice_url'),
    /** Why the purchase is held for review, for the admin who looks at it. */
    reviewReason: text('review_reason'),
    /** Credits of this purchase due back to refunds and lost disputes (taken back, or short). */
    creditsReversed: bigint('credits_reversed', { mode: 'number' }).notNull().default(0),
    /** Of `creditsReversed`, those the user had already spent, so never taken back. */
    creditsShortfall: bigint('credits_shortfall', { mode: 'number' }).notNull().default(0),
    fulfilledAt: timestamp('fulfilled_at', { mode: 'date', withTimezone: true }),
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  },
  (purchase) => [
    index('credit_purchases_wallet_id_created_at_idx').on(purchase.walletId, purchase.createdAt),
    index('credit_purchases_auto_top_up_month_idx')
      .on(purchase.walletId, purchase.createdAt)
      .where(sql`${purchase.kind} = 'auto_top_up'`),
    check('credit_purchases_positive', sql`${purchase.credits} > 0 and ${purchase.amountMinor} > 0`),
    check('credit_purchases_reversal_within_credits', sql`${purchase.creditsReversed} between 0 and ${purchase.credits}`),
    check('credit_purchases_shortfall_within_reversal', sql`${purchase.creditsShortfall} between 0 and ${purchase.creditsReversed}`),
  ],
);
export type CreditPurchase = typeof creditPurchases.$inferSelect;

/**
 * Money given back on a payment of one of our purchases, per payment intent, as Stripe reports it:
 * refunds (the charge's cumulative `amount_refunded`, as of the newest `charge.refunded` event, so it
 * can go down when a refund fails) and lost disputes. Kept apart from the purchase so a refund that
 * arrives before the payment's fulfilment is not lost: fulfilment applies what is recorded here.
 * Payments that are not ours are never recorded.
 */
export const paymentAdjustments = pgTable('payment_adjustments', {
  paymentIntentId: text('payment_intent_id').primaryKey(),
  amountRefundedMinor: bigint('amount_refunded_minor', { mode: 'number' }).notNull().default(0),
  /** When Stripe created the event `amountRefundedMinor` comes from; older events do not overwrite it. */
  refundedAsOf: timestamp('refunded_as_of', { mode: 'date', withTimezone: true }),
  amountDisputeLostMinor: bigint('amount_dispute_lost_minor', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
});
export type PaymentAdjustment = typeof paymentAdjustments.$inferSelect;

/**
 * Refunds that failed after they were made (the bank refused them): their money was not given back
 * after all. One row per refund, so a failure reported twice gives credits back once. A failure
 * counts against `amountRefundedMinor` only when it is newer than that figure (which already
 * leaves out refunds that had failed when Stripe computed it).
 */
export const refundFailures = pgTable(
  'refund_failures',
  {
    refundId: text('refund_id').primaryKey(),
    paymentIntentId: text('payment_intent_id').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    failedAt: timestamp('failed_at', { mode: 'date', withTimezone: true }).notNull(),
  },
  (failure) => [index('refund_failures_payment_intent_idx').on(failure.paymentIntentId)],
);

/** Disputes Stripe reported on a purchase's payment. */
export const creditDisputes = pgTable('credit_disputes', {
  id: text('id').primaryKey(),
  purchaseId: uuid('purchase_id')
    .notNull()
    .references(() => creditPurchases.id, { onDelete: 'cascade' }),
  amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
  reason: text('reason').notNull(),
  status: text('status').notNull(),
  createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
});

/*
 * Background work: one table, one runner. A job is written in the same transaction as the change it
 * follows from (a purchase credited, a balance that crossed its threshold, a lot about to expire), so
 * it exists exactly when that change committed. The runner takes due jobs (`run_at` passed) after
 * commit, each under a lease so two runners never run one at once, and marks them done only after
 * they succeeded: each happens once in effect, and a failure is kept, with its error, for the next run
 * (`npm run credits:jobs`, the cron route, or a later event about the same purchase). One job per
 * kind and reference: enqueueing it twice is a no-op.
 */

export const jobKind = pgEnum('job_kind', [
  'top_up_callback',
  'top_up_receipt',
  'refund_callback',
  'dispute_callback',
  'review_callback',
  'expiry_reminder',
  'expiring_callback',
  'low_balance_alert',
  'low_balance_callback',
  'auto_top_up',
  'auto_top_up_notice',
]);
export type JobKind = (typeof jobKind.enumValues)[number];

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    kind: jobKind('kind').notNull(),
    /** What the job is about (a purchase id, a refund's ledger entry, a lot …); one job per kind and reference. */
    reference: text('reference').notNull(),
    /** The purchase it is about, if any: any later event for the purchase retries its failed jobs. */
    purchaseId: uuid('purchase_id').references(() => creditPurchases.id, { onDelete: 'cascade' }),
    /** The wallet it is about, if any. */
    walletId: text('wallet_id').references(() => wallets.id, { onDelete: 'cascade' }),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** Not before this time. */
    runAt: timestamp('run_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** Held by a runner until this time; another runner may take the job after it. */
    lockedUntil: timestamp('locked_until', { mode: 'date', withTimezone: true }),
    doneAt: timestamp('done_at', { mode: 'date', withTimezone: true }),
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  },
  (job) => [
    uniqueIndex('jobs_kind_reference_idx').on(job.kind, job.reference),
    index('jobs_due_idx')
      .on(job.runAt)
      .where(sql`${job.doneAt} is null`),
    index('jobs_pending_purchase_idx')
      .on(job.purchaseId)
      .where(sql`${job.doneAt} is null`),
  ],
);
export type Job = typeof jobs.$inferSelect;

/**
 * A wallet's auto top-up and the card it charges: "when available credits fall below
 * `thresholdCredits`, buy `packageId` for `amountMinor` `currency`, at most `maxPerMonth` times a
 * calendar month (UTC)". The amount is the one the user saw and agreed to when turning it on; a price
 * change pauses it rather than charging another amount. Two failed charges in a row pause it too.
 * A row may hold only a saved card (`enabled` false, no settings yet).
 */
export const autoTopUps = pgTable(
  'auto_top_ups',
  {
    walletId: text('wallet_id')
      .primaryKey()
      .references(() => wallets.id, { onDelete: 'cascade' }),
    enabled: boolean('enabled').notNull().default(false),
    thresholdCredits: bigint('threshold_credits', { mode: 'number' }),
    packageId: text('package_id'),
    credits: bigint('credits', { mode: 'number' }),
    amountMinor: bigint('amount_minor', { mode: 'number' }),
    currency: text('currency'),
    maxPerMonth: integer('max_per_month'),
    /** The saved card (a Stripe PaymentMethod of the wallet's customer), and what people see of it. */
    paymentMethodId: text('payment_method_id'),
    cardBrand: text('card_brand'),
    cardLast4: text('card_last4'),
    cardExpMonth: integer('card_exp_month'),
    cardExpYear: integer('card_exp_year'),
    /** When Stripe saved the card (its SetupIntent's event time): an older event never replaces a newer card. */
    cardSavedAt: timestamp('card_saved_at', { mode: 'date', withTimezone: true }),
    /** Failed automatic charges since the last one that succeeded. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** Set when auto top-up stopped by itself (failed charges, the card removed, the price changed). */
    pausedAt: timestamp('paused_at', { mode: 'date', withTimezone: true }),
    pauseReason: text('pause_reason'),
    /** Who turned it on: the buyer of its purchases. */
    enabledBy: text('enabled_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { mode: 'date', withTimezone: true }).notNull().defaultNow(),
  },
  (autoTopUp) => [
    check(
      'auto_top_ups_complete_when_enabled',
      sql`not ${autoTopUp.enabled} or (${autoTopUp.thresholdCredits} > 0 and ${autoTopUp.packageId} is not null and ${autoTopUp.credits} > 0 and ${autoTopUp.amountMinor} > 0 and ${autoTopUp.currency} is not null and ${autoTopUp.maxPerMonth} between 1 and 100 and ${autoTopUp.paymentMethodId} is not null)`,
    ),
    check('auto_top_ups_failures_non_negative', sql`${autoTopUp.consecutiveFailures} >= 0`),
  ],
);
export type AutoTopUp = typeof autoTopUps.$inferSelect;
