import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

import { POST as webhookPost } from '@/app/api/webhooks/stripe/route';
import { handleCronRequest } from '@/features/common/payments/api/cron-handler';
import { appConfig } from '@/config/app';
import { signInWithEmail } from '@/features/common/auth/actions/sign-in.action';
import { getSessionUser, requireUser, type SessionUser } from '@/features/common/auth/session';
import { creditReviewedPurchase, endUserCreditLot, grantBonusCredits } from '@/features/common/payments/actions/admin-credits.action';
import { getMyCredits } from '@/features/common/payments/actions/get-my-credits.action';
import { paySimulatedCheckoutAction } from '@/features/common/payments/actions/simulator.action';
import {
  acceptInviteAction,
  createOrganizationAction,
  grantOrganizationBonusCredits,
  inviteMemberAction,
  leaveOrganizationAction,
  removeMemberAction,
  revokeInviteAction,
  selectActiveWallet,
  setMemberCapAction,
  setMemberRoleAction,
  updateOrganizationAction,
} from '@/features/common/payments/actions/organizations.action';
import { startCreditsCheckout } from '@/features/common/payments/actions/start-checkout.action';
import { saveLowBalanceAlert } from '@/features/common/payments/actions/low-balance-alert.action';
import { managePaymentMethods, saveAutoTopUp, saveTestCard, startSavingCard, turnOffAutoTopUp } from '@/features/common/payments/actions/auto-top-up.action';
import {
  disableAutoTopUp,
  getAutoTopUp,
  openPaymentMethods,
  setAutoTopUp,
  startCardSetup,
} from '@/features/common/payments/service/auto-top-up/auto-top-up.service';
import { saveSimulatedCard } from '@/features/common/payments/service/auto-top-up/simulator-card';
import { getLowBalanceAlert, setLowBalanceAlert } from '@/features/common/payments/service/alerts/low-balance';
import {
  deductCreditsBonusFirst,
  getCreditsBalance,
  listCreditTransactions,
  releaseCreditHold,
  reserveCredits,
  settleCreditHold,
  withCredits,
} from '@/features/common/payments/service/credits-balance.service';
import { acceptInvite, inviteToOrganization } from '@/features/common/payments/service/organizations/invites';
import { createOrganization, setOrganizationMemberCap } from '@/features/common/payments/service/organizations/organizations.service';
import { CreditsError } from '@/features/common/payments/service/credits-errors';
import { getCreditsUsageByFeature, getDailyCreditsUsage } from '@/features/common/payments/service/credits-usage.service';
import { listAdminActions } from '@/features/common/payments/service/insights/admin-audit';
import { getCreditsBooks } from '@/features/common/payments/service/insights/books';
import { exportCreditTransactions } from '@/features/common/payments/service/insights/ledger-export';
import { correctCredits } from '@/features/common/payments/service/ledger/corrections';
import { listCreditLots } from '@/features/common/payments/service/ledger/lots';
import { creditPurchaseUnderReview } from '@/features/common/payments/service/fulfilment';
import { fingerprintRequest, respondOnce } from '@/features/common/payments/service/idempotent-request.service';
import { addCreditsDirectly, createCreditsCheckoutSession } from '@/features/common/payments/service/payment.service';
import { paySimulatedCheckout } from '@/features/common/payments/service/checkout-simulator';
import { getPaymentsGateway, setPaymentsGateway } from '@/features/common/payments/service/payments-gateway';
import { handleGenerateRequest } from '@/features/examples/generation/generate-handler';
import { handleStreamRequest } from '@/features/examples/streaming/stream-answer';
import { getDb } from '@/shared/db/client';
import { autoTopUps } from '@/shared/db/schema';
import { createUser } from '../helpers/factories';
import { deliver, fixtureEvent, pendingPurchase } from '../helpers/stripe-events';
import { startStripeServer } from '../helpers/stripe-server';
import { setupTestDatabase, testDriver } from '../helpers/test-database';

/*
 * Item 14: every public entry point — services, server actions, routes, the webhook — gets each of
 * these hostile values in each of its inputs, and must answer with a typed error (or a 4xx) and
 * write nothing. A value a field legitimately accepts (a numeric string is a fine reason) is left
 * out for that field only.
 */

// The session comes from next-auth's request context, which a test does not have: stand in for it.
vi.mock('@/features/common/auth/session', () => ({ getSessionUser: vi.fn(), requireUser: vi.fn() }));
// Sign-in links are never sent here: every value below is refused before that.
vi.mock('next/headers', () => ({
  headers: async () => new Headers({ 'x-forwarded-for': '203.0.113.9' }),
  // The active-wallet cookie: only ever written by an accepted call, which these rows never make.
  cookies: async () => ({ get: () => undefined, set: () => {}, delete: () => {} }),
}));
vi.spyOn(console, 'warn').mockImplementation(() => {});
vi.spyOn(console, 'error').mockImplementation(() => {});

setupTestDatabase();

const HOSTILE: [label: string, value: unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['true', true],
  ['false', false],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['-0', -0],
  ['0', 0],
  ['-1', -1],
  ['1.5', 1.5],
  ['2^53', 2 ** 53],
  ['-(2^53)', -(2 ** 53)],
  ['1e308', 1e308],
  ['MIN_VALUE', Number.MIN_VALUE],
  ['numeric string', '10'],
  ['exponent string', '1e3'],
  ['hex string', '0x10'],
  ['"NaN"', 'NaN'],
  ['empty string', ''],
  ['blank string', '   '],
  ['huge string', 'x'.repeat(1_000_001)],
  ['NUL', '\u0000'],
  ['NUL inside', 'ab\u0000cd'],
  ['lone high surrogate', '\uD800'],
  ['lone low surrogate', 'a\uDC00b'],
  ['empty array', []],
  ['array of a number', [10]],
  ['array of a string', ['a']],
  ['empty object', {}],
  ['nested object', { a: { b: { c: 1 } } }],
  ['object with toString', { toString: () => '10' }],
  ['object with valueOf', { valueOf: () => 10 }],
  ['Date', new Date(0)],
  ['BigInt', 10n],
  ['function', () => 10],
  ['Symbol', Symbol('x')],
  ['__proto__ key', JSON.parse('{"__proto__":{"role":"admin"}}')],
];

const NUMERIC_STRINGS = ['numeric string', 'exponent string', 'hex string', '"NaN"'];
/** Labels of values a free-text field accepts. */
const TEXT_OK = NUMERIC_STRINGS;
/** …and an optional one. */
const OPTIONAL_TEXT_OK = [...TEXT_OK, 'undefined'];
/** Values that reach a JSON body (a route's, a Stripe event's) as null or not at all. */
const JSON_NULLS = ['undefined', 'null', 'function', 'Symbol', 'NaN', 'Infinity', '-Infinity'];
/** Values that reach a JSON body as a string a text field accepts ('10'). */
const JSON_TEXT_OK = [...TEXT_OK, 'BigInt'];
/** An options bag takes any object and ignores keys it does not know. */
/** A feature key is a short lowercase slug: digits and letters such as '10', '1e3' and '0x10' are keys. */
const FEATURE_OK = ['undefined', 'numeric string', 'exponent string', 'hex string'];
const OPTIONS_OK = ['undefined', 'empty object', 'nested object', '__proto__ key', 'object with toString', 'object with valueOf', 'Date'];

it('has at least 30 kinds of hostile value', () => {
  expect(HOSTILE.length).toBeGreaterThanOrEqual(30);
});

/** Rows in every table a request can write to (rate-limit counters aside). */
async function rowCounts() {
  const db = await getDb();
  const tables = [
    'users',
    'accounts',
    'sessions',
    'verification_tokens',
    'email_outbox',
    'credit_balances',
    'credit_transactions',
    'credit_purchases',
    'payment_adjustments',
    'refund_failures',
    'credit_disputes',
    'jobs',
    'idempotent_requests',
    'wallets',
    'credit_lots',
    'credit_holds',
    'credit_hold_lots',
    'member_credit_usage',
    'organizations',
    'organization_members',
    'organization_invites',
    'auto_top_ups',
  ];
  const result = await db.execute(sql.raw(`select ${tables.map((t) => `(select count(*) from ${t}) as ${t}`).join(', ')}`));
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];
  return Object.fromEntries(Object.entries(rows[0]!).map(([key, value]) => [key, Number(value)]));
}

/** Sets `path` (dot-separated) of a copy of `base` to `value`; an empty path replaces the whole input. */
function withValue(base: unknown, path: string, value: unknown): unknown {
  if (!path) return value;
  const copy = structuredClone(base) as Record<string, unknown>;
  const keys = path.split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[keys.at(-1)!] = value;
  return copy;
}

type Outcome = 'typed error' | `${number}`;

/** What a call did: a typed error, a refused action result, or a response's status. Anything else fails the test. */
async function outcomeOf(call: () => Promise<unknown>): Promise<Outcome> {
  let result: unknown;
  try {
    result = await call();
  } catch (error) {
    if (error instanceof CreditsError) return 'typed error';
    // Not found pages and the simulator's refusal are the framework's typed answers.
    if (error instanceof Error && ['SimulatedPaymentError'].includes(error.name)) return 'typed error';
    throw error;
  }
  if (result instanceof Response) return String(result.status) as Outcome;
  if (result && typeof result === 'object' && 'ok' in result && result.ok === false) return 'typed error';
  if (result && typeof result === 'object' && 'error' in result && typeof result.error === 'string') return 'typed error';
  throw new Error(`accepted: ${JSON.stringify(result)?.slice(0, 200)}`);
}

interface EntryPoint {
  name: string;
  /** A valid input, and the call that takes it. */
  base: unknown;
  call: (input: never) => Promise<unknown>;
  /** Each field (path into `base`; '' for the whole input) with the labels it accepts. */
  fields: Record<string, string[]>;
}

function fuzz(entry: EntryPoint) {
  const cases = Object.entries(entry.fields).flatMap(([field, ok]) =>
    HOSTILE.filter(([label]) => !ok.includes(label)).map(([label, value]) => [field || '(whole input)', label, field, value] as const),
  );
  it.each(cases)(`${entry.name}: %s = %s is refused and writes nothing`, async (_shown, _label, field, value) => {
    const before = await rowCounts();
    const outcome = await outcomeOf(() => entry.call(withValue(entry.base, field, value) as never));
    if (outcome !== 'typed error') expect(Number(outcome)).toBeGreaterThanOrEqual(400);
    if (outcome !== 'typed error') expect(Number(outcome)).toBeLessThan(500);
    expect(await rowCounts()).toEqual(before);
  });
}

let stripe: Awaited<ReturnType<typeof startStripeServer>>;
let user: Awaited<ReturnType<typeof createUser>>;
let admin: Awaited<ReturnType<typeof createUser>>;
const limits = structuredClone(appConfig.rateLimits);

beforeAll(async () => {
  stripe = await startStripeServer();
  user = await createUser();
  admin = await createUser({ role: 'admin' });
  await addCreditsDirectly({ userId: user.id, credits: 1000, creditsType: 'bonus', reason: 'Fuzz budget' });
  // Thousands of refused calls from one user: the limits would answer 429 first and hide the validation.
  for (const limit of Object.values(appConfig.rateLimits)) limit.requests = 1_000_000;
});
afterAll(async () => {
  appConfig.rateLimits = limits;
  await stripe.close();
});

/** `input` with the placeholder user id 'u' replaced by the test user's (the placeholder keeps `base` static). */
function asUser(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const record = input as Record<string, unknown>;
  return record.userId === 'u' ? { ...record, userId: user.id } : record;
}

function signInAs(who: { id: string; email: string | null; role: SessionUser['role'] }) {
  const session = { id: who.id, email: who.email, role: who.role, name: null };
  vi.mocked(getSessionUser).mockResolvedValue(session);
  vi.mocked(requireUser).mockResolvedValue(session);
}

describe(`services on ${testDriver}`, () => {
  fuzz({
    name: 'deductCreditsBonusFirst',
    base: { userId: 'u', credits: 1, reason: 'Fuzz' },
    call: (input) => deductCreditsBonusFirst(asUser(input) as never),
    fields: {
      '': [],
      userId: [],
      credits: [],
      reason: TEXT_OK,
      idempotencyKey: OPTIONAL_TEXT_OK,
      requestFingerprint: OPTIONAL_TEXT_OK,
      metadata: ['undefined', 'empty object', 'nested object', '__proto__ key'],
      organizationId: ['undefined'],
      feature: FEATURE_OK,
    },
  });

  fuzz({
    name: 'addCreditsDirectly',
    base: { userId: 'u', credits: 1, creditsType: 'bonus', reason: 'Fuzz' },
    call: (input) => addCreditsDirectly(asUser(input) as never),
    fields: {
      '': [],
      userId: [],
      credits: [],
      creditsType: [],
      reason: TEXT_OK,
      // An unknown admin id is the ledger's to keep: it names who granted, it is not looked up.
      actorId: [...OPTIONAL_TEXT_OK],
      idempotencyKey: OPTIONAL_TEXT_OK,
      requestFingerprint: OPTIONAL_TEXT_OK,
      metadata: ['undefined', 'empty object', 'nested object', '__proto__ key'],
      organizationId: ['undefined'],
      expiresAt: ['undefined'],
    },
  });

  fuzz({ name: 'getCreditsBalance', base: 'u', call: (userId) => getCreditsBalance(userId), fields: { '': [...TEXT_OK] } });
  fuzz({
    name: 'listCreditTransactions',
    base: { userId: 'u', options: { limit: 20 } },
    call: (input: { userId: string; options: never }) => listCreditTransactions(input.userId, input.options),
    fields: { userId: TEXT_OK, options: OPTIONS_OK, 'options.limit': ['undefined'], 'options.cursor': ['undefined'] },
  });
  fuzz({
    name: 'getDailyCreditsUsage',
    base: { userId: 'u', options: { days: 30 } },
    call: (input: { userId: string; options: never }) => getDailyCreditsUsage(input.userId, input.options),
    fields: { userId: TEXT_OK, options: OPTIONS_OK, 'options.days': ['undefined'], 'options.now': ['undefined', 'Date'] },
  });

  fuzz({
    name: 'getCreditsUsageByFeature',
    base: { userId: 'u', options: { days: 30 } },
    call: (input: { userId: string; options: never }) => getCreditsUsageByFeature(input.userId, input.options),
    fields: { userId: TEXT_OK, options: OPTIONS_OK, 'options.days': ['undefined'], 'options.now': ['undefined', 'Date'] },
  });

  fuzz({
    name: 'listCreditLots',
    base: { userId: 'u', options: {} },
    call: (input: { userId: string; options: never }) => listCreditLots(input.userId, input.options),
    fields: { userId: TEXT_OK, 'options.organizationId': ['undefined', 'null'] },
  });

  fuzz({
    name: 'exportCreditTransactions',
    base: { userId: 'u', options: {} },
    call: (input: { userId: string; options: never }) => exportCreditTransactions(input.userId, input.options),
    fields: {
      userId: TEXT_OK,
      options: OPTIONS_OK,
      'options.types': ['undefined'],
      'options.from': ['undefined', 'Date'],
      'options.to': ['undefined', 'Date'],
      'options.organizationId': ['undefined', 'null'],
    },
  });

  fuzz({
    name: 'correctCredits',
    base: { userId: 'u', bucket: 'purchased', credits: 1, reason: 'Fuzz', adminId: 'a' },
    call: (input) => {
      const record = asUser(input);
      return correctCredits(
        (record && typeof record === 'object' && (record as { adminId?: unknown }).adminId === 'a' ? { ...record, adminId: admin.id } : record) as never,
      );
    },
    fields: { '': [], userId: [], bucket: [], credits: [], reason: TEXT_OK, adminId: TEXT_OK, idempotencyKey: OPTIONAL_TEXT_OK, organizationId: ['undefined'] },
  });

  fuzz({
    name: 'getCreditsBooks',
    base: {},
    call: (input) => getCreditsBooks(input),
    fields: { '': OPTIONS_OK, months: ['undefined'], topSpenders: ['undefined'], spendWindowDays: ['undefined'], now: ['undefined', 'Date'] },
  });

  fuzz({
    name: 'listAdminActions',
    base: {},
    call: (input) => listAdminActions(input),
    fields: { '': OPTIONS_OK, adminId: OPTIONAL_TEXT_OK, userId: OPTIONAL_TEXT_OK, cursor: ['undefined'], limit: ['undefined'] },
  });

  fuzz({
    name: 'createCreditsCheckoutSession',
    base: { request: { userId: 'u', packageId: 'starter' }, urls: { successUrl: '/dashboard?billing=success', cancelUrl: '/dashboard' } },
    call: (input: { request: unknown; urls: never }) => createCreditsCheckoutSession(asUser(input.request) as never, input.urls),
    fields: {
      request: [],
      'request.userId': [],
      'request.packageId': [],
      'request.currency': ['undefined'],
      urls: [],
      // A relative path is a fine return URL: these resolve on APP_URL.
      'urls.successUrl': TEXT_OK,
      'urls.cancelUrl': TEXT_OK,
    },
  });

  fuzz({
    name: 'setLowBalanceAlert',
    base: { userId: 'u', thresholdCredits: 100 },
    call: (input) => setLowBalanceAlert(asUser(input) as never),
    fields: { '': [], userId: [], thresholdCredits: ['0', '-0'], organizationId: ['undefined'] },
  });
  fuzz({
    name: 'getLowBalanceAlert',
    base: { userId: 'u' },
    call: (input) => getLowBalanceAlert(asUser(input) as never),
    fields: { '': [], userId: [], organizationId: ['undefined'] },
  });

  fuzz({
    name: 'createCreditsCheckoutSession (manual amount)',
    base: { userId: 'u', credits: 1000 },
    call: (input) => createCreditsCheckoutSession(asUser(input) as never, { successUrl: '/d', cancelUrl: '/d' }),
    fields: { credits: [] },
  });

  fuzz({
    name: 'respondOnce',
    base: { userId: 'u', idempotencyKey: 'fuzz-key', requestFingerprint: 'sha256:x' },
    call: (input) =>
      respondOnce(asUser(input) as never, async () => {
        throw new Error('the work must not run for a refused request');
      }),
    // Without a key (or with a well-formed one) the work runs, by design: those are not refusals.
    fields: { '': [], userId: [], idempotencyKey: OPTIONAL_TEXT_OK, requestFingerprint: TEXT_OK, leaseSeconds: ['undefined'] },
  });

  fuzz({
    name: 'fingerprintRequest',
    base: { prompt: 'x' },
    call: async (input) => fingerprintRequest(input),
    // Plain JSON is a request; only values that are not JSON, or hold NUL or lone surrogates, are refused.
    fields: {
      '': [
        'null',
        'true',
        'false',
        '-0',
        '0',
        '-1',
        '1.5',
        '2^53',
        '-(2^53)',
        '1e308',
        'MIN_VALUE',
        ...TEXT_OK,
        'empty string',
        'blank string',
        'huge string',
        'empty array',
        'array of a number',
        'array of a string',
        'empty object',
        'nested object',
        '__proto__ key',
      ],
    },
  });

  fuzz({
    name: 'creditPurchaseUnderReview',
    base: { purchaseId: '00000000-0000-4000-8000-000000000000', adminId: 'a' },
    call: (input: { purchaseId: string; adminId: string }) => creditPurchaseUnderReview(input.purchaseId, input.adminId),
    fields: { purchaseId: [], adminId: [] },
  });
});

describe(`auto top-up on ${testDriver}`, () => {
  // A saved card, so that the base input of each row is accepted and only the hostile value can refuse it.
  beforeAll(async () => {
    const db = await getDb();
    await db
      .insert(autoTopUps)
      .values({ walletId: `user:${user.id}`, paymentMethodId: 'pm_card_visa', cardBrand: 'visa', cardLast4: '4242' })
      .onConflictDoNothing();
  });

  fuzz({
    name: 'setAutoTopUp',
    base: { userId: 'u', thresholdCredits: 100, packageId: 'starter', maxPerMonth: 3, expectedAmountMinor: 1000 },
    call: (input) => setAutoTopUp(asUser(input) as never),
    fields: {
      '': [],
      userId: [],
      thresholdCredits: [],
      packageId: [],
      maxPerMonth: [],
      expectedAmountMinor: [],
      currency: ['undefined'],
      organizationId: ['undefined'],
    },
  });
  fuzz({
    name: 'getAutoTopUp',
    base: { userId: 'u' },
    call: (input) => getAutoTopUp(asUser(input) as never),
    fields: { '': [], userId: [], organizationId: ['undefined'], currency: ['undefined'] },
  });
  fuzz({
    name: 'disableAutoTopUp',
    base: { userId: 'u' },
    call: (input) => disableAutoTopUp(asUser(input) as never),
    fields: { '': [], userId: [], organizationId: ['undefined'] },
  });
  fuzz({
    name: 'startCardSetup',
    base: { userId: 'u' },
    call: (input) => startCardSetup(asUser(input) as never),
    fields: { '': [], userId: [], organizationId: ['undefined'], currency: ['undefined'] },
  });
  fuzz({
    name: 'openPaymentMethods',
    base: { userId: 'u' },
    call: (input) => openPaymentMethods(asUser(input) as never),
    fields: { '': [], userId: [], organizationId: ['undefined'] },
  });
  fuzz({
    name: 'saveSimulatedCard',
    base: { userId: 'u', card: 'succeeds' },
    call: (input) => saveSimulatedCard(asUser(input) as never),
    fields: { '': [], userId: [], card: [], organizationId: ['undefined'] },
  });
});

describe(`holds and organisations on ${testDriver}`, () => {
  const fixture = { holdId: '', organizationId: '', token: 'x'.repeat(43) };
  beforeAll(async () => {
    fixture.holdId = (await reserveCredits({ userId: user.id, credits: 5, reason: 'Fuzz hold' })).holdId;
    fixture.organizationId = (await createOrganization({ userId: user.id, name: 'Fuzz org' })).id;
  });
  /** `input` with the placeholders 'h' (the open hold) and 'o' (the user's organisation) filled in. */
  const withFixture = (input: unknown) => {
    const record = asUser(input);
    if (typeof record !== 'object' || record === null) return record;
    const fields = record as Record<string, unknown>;
    return {
      ...fields,
      ...(fields.holdId === 'h' && { holdId: fixture.holdId }),
      ...(fields.organizationId === 'o' && { organizationId: fixture.organizationId }),
      ...(fields.memberId === 'u' && { memberId: user.id }),
    };
  };

  fuzz({
    name: 'reserveCredits',
    base: { userId: 'u', credits: 1, reason: 'Fuzz' },
    call: (input) => reserveCredits(withFixture(input) as never),
    fields: {
      '': [],
      userId: [],
      credits: [],
      reason: TEXT_OK,
      idempotencyKey: OPTIONAL_TEXT_OK,
      requestFingerprint: OPTIONAL_TEXT_OK,
      metadata: ['undefined', 'empty object', 'nested object', '__proto__ key'],
      organizationId: ['undefined'],
      feature: FEATURE_OK,
      expiresInSeconds: ['undefined'],
    },
  });
  fuzz({
    name: 'settleCreditHold',
    // More than held without allowOverage: refused, so the hold stays open for every case.
    base: { userId: 'u', holdId: 'h', credits: 6 },
    call: (input) => settleCreditHold(withFixture(input) as never),
    fields: {
      '': [],
      userId: [],
      holdId: [],
      credits: ['0', '-0'],
      reason: OPTIONAL_TEXT_OK,
      organizationId: ['undefined'],
      allowOverage: ['undefined', 'false', 'true'],
    },
  });
  fuzz({
    name: 'releaseCreditHold',
    base: { userId: 'u', holdId: '00000000-0000-4000-8000-000000000000' },
    call: (input) => releaseCreditHold(withFixture(input) as never),
    fields: { '': [], userId: [], holdId: [], reason: OPTIONAL_TEXT_OK, organizationId: ['undefined'] },
  });
  fuzz({
    name: 'withCredits',
    base: { userId: 'u', credits: 1, reason: 'Fuzz' },
    call: (input) =>
      withCredits(withFixture(input) as never, async () => {
        throw new Error('the work must not run for a refused request');
      }),
    fields: { '': [], userId: [], credits: [], reason: TEXT_OK },
  });
  fuzz({
    name: 'createOrganization',
    base: { userId: 'u', name: '' },
    call: (input) => createOrganization(withFixture(input) as never),
    fields: { '': [], userId: [], name: TEXT_OK },
  });
  fuzz({
    name: 'inviteToOrganization',
    base: { userId: 'u', organizationId: 'o', email: 'not-an-email' },
    call: (input) => inviteToOrganization(withFixture(input) as never),
    fields: { '': [], userId: [], organizationId: [], email: [], role: ['undefined'] },
  });
  fuzz({
    name: 'setOrganizationMemberCap',
    base: { userId: 'u', organizationId: 'o', memberId: 'u', monthlyCap: -5 },
    call: (input) => setOrganizationMemberCap(withFixture(input) as never),
    fields: { '': [], userId: [], organizationId: [], memberId: [], monthlyCap: ['null', '0', '-0'] },
  });
  fuzz({
    name: 'acceptInvite',
    base: { userId: 'u', token: 'x'.repeat(43) },
    call: (input) => acceptInvite(withFixture(input) as never),
    fields: { '': [], userId: [], token: [] },
  });
});

describe('server actions', () => {
  beforeEach(() => signInAs(user));

  fuzz({
    name: 'grantBonusCredits',
    base: { userId: 'u', credits: 1, reason: 'Fuzz' },
    call: (input) => {
      signInAs(admin);
      return grantBonusCredits(asUser(input) as never);
    },
    fields: { '': [], userId: [], credits: [], reason: TEXT_OK, idempotencyKey: ['undefined'], expiresOn: ['undefined'] },
  });

  fuzz({
    name: 'endUserCreditLot',
    base: { userId: 'u', lotId: '00000000-0000-4000-8000-000000000000', reason: 'Fuzz' },
    call: (input) => {
      signInAs(admin);
      return endUserCreditLot(asUser(input) as never);
    },
    fields: { '': [], userId: [], lotId: [], reason: TEXT_OK },
  });

  fuzz({
    name: 'GET /api/cron/credits (authorization)',
    base: 'Bearer the-cron-secret-0123456789',
    call: async (authorization) => {
      let headers: Headers;
      try {
        headers = new Headers(typeof authorization === 'string' ? { authorization } : {});
      } catch {
        // A header HTTP cannot carry (NUL, characters above U+00FF): the server answers 400 before any route.
        return new Response(null, { status: 400 });
      }
      return handleCronRequest(new Request('http://localhost:3000/api/cron/credits', { headers }), 'the-cron-secret-0123456789');
    },
    fields: { '': [] },
  });

  fuzz({
    name: 'startCreditsCheckout',
    base: { packageId: 'starter', successUrl: '/dashboard?billing=success', cancelUrl: '/dashboard' },
    call: (input) => startCreditsCheckout(input),
    fields: { '': [], packageId: [], successUrl: TEXT_OK, cancelUrl: TEXT_OK, organizationId: ['undefined', 'null'], currency: ['undefined'] },
  });

  fuzz({
    name: 'startCreditsCheckout (manual amount)',
    base: { credits: 1000, successUrl: '/dashboard', cancelUrl: '/dashboard' },
    call: (input) => startCreditsCheckout(input),
    fields: { credits: [] },
  });

  fuzz({
    name: 'saveAutoTopUp',
    base: { thresholdCredits: 100, packageId: 'starter', maxPerMonth: 3, expectedAmountMinor: 1000 },
    call: (input) => saveAutoTopUp(input),
    fields: {
      '': [],
      thresholdCredits: [],
      packageId: [],
      maxPerMonth: [],
      expectedAmountMinor: [],
      currency: ['undefined'],
      organizationId: ['undefined', 'null'],
    },
  });
  for (const [name, action] of [
    ['turnOffAutoTopUp', turnOffAutoTopUp],
    ['startSavingCard', startSavingCard],
    ['managePaymentMethods', managePaymentMethods],
  ] as const) {
    fuzz({ name, base: {}, call: (input) => action(input), fields: { organizationId: ['undefined', 'null'] } });
  }
  fuzz({
    name: 'saveTestCard',
    base: { card: 'succeeds' },
    call: (input) => saveTestCard(input),
    fields: { '': [], card: [], organizationId: ['undefined', 'null'] },
  });

  fuzz({
    name: 'saveLowBalanceAlert',
    base: { thresholdCredits: 100 },
    call: (input) => saveLowBalanceAlert(input),
    fields: { '': [], thresholdCredits: ['0', '-0'] },
  });

  fuzz({ name: 'getMyCredits', base: undefined, call: (input) => getMyCredits(input), fields: { '': ['undefined', 'empty object', 'Date'] } });
  fuzz({
    name: 'getMyCredits (organisation)',
    base: { organizationId: '00000000-0000-4000-8000-000000000000' },
    call: (input) => getMyCredits(input),
    // Left out or null: the caller's own wallet.
    fields: { organizationId: ['undefined', 'null'] },
  });

  fuzz({
    name: 'creditReviewedPurchase',
    base: { purchaseId: '00000000-0000-4000-8000-000000000000' },
    call: (input) => {
      signInAs(admin);
      return creditReviewedPurchase(input);
    },
    fields: { '': [], purchaseId: [] },
  });

  fuzz({
    name: 'paySimulatedCheckoutAction',
    base: 'cs_sim_00000000000000000000000000000000',
    call: (sessionId) => paySimulatedCheckoutAction(sessionId, new FormData()),
    fields: { '': [] },
  });

  let simulatedSession: string;
  beforeAll(async () => {
    setPaymentsGateway({ ...getPaymentsGateway(), kind: 'simulator' });
    try {
      simulatedSession = (await createCreditsCheckoutSession({ userId: user.id, packageId: 'starter' }, { successUrl: '/d', cancelUrl: '/d' })).id;
    } finally {
      stripe.restore();
    }
  });
  fuzz({
    name: 'paySimulatedCheckout (promotion code)',
    base: { promotionCode: 'TEST10' },
    call: async (options: { promotionCode: unknown }) => {
      setPaymentsGateway({ ...getPaymentsGateway(), kind: 'simulator' });
      try {
        return await paySimulatedCheckout(simulatedSession, user.id, options as never);
      } finally {
        stripe.restore();
      }
    },
    // No code at all pays the full price; TEST10 is refused too while promotion codes are off (the default).
    fields: { promotionCode: ['undefined', 'null', 'empty string', 'blank string'] },
  });

  fuzz({
    name: 'signInWithEmail',
    base: { email: 'someone@example.com', callbackUrl: '/dashboard' },
    call: (input: { email: unknown; callbackUrl: unknown }) => {
      const form = new FormData();
      for (const [key, value] of Object.entries(input ?? {})) if (value !== undefined) form.append(key, String(value as string));
      return signInWithEmail({}, form);
    },
    fields: { email: [] },
  });
});

describe('organisation actions', () => {
  const fixture = { organizationId: '' };
  beforeAll(async () => {
    fixture.organizationId = (await createOrganization({ userId: user.id, name: 'Fuzz actions org' })).id;
  });
  beforeEach(() => signInAs(user));
  /** `input` with the placeholders 'o' (the user's organisation, which they own alone) and memberId 'u' filled in. */
  const withOrg = (input: unknown) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
    const fields = input as Record<string, unknown>;
    return {
      ...fields,
      ...(fields.organizationId === 'o' && { organizationId: fixture.organizationId }),
      ...(fields.memberId === 'u' && { memberId: user.id }),
    };
  };
  const NO_ORG = '00000000-0000-4000-8000-000000000000';

  fuzz({
    name: 'selectActiveWallet',
    base: { organizationId: NO_ORG },
    call: (input) => selectActiveWallet(input as never),
    // null is the personal wallet.
    fields: { '': [], organizationId: ['null'] },
  });
  fuzz({ name: 'createOrganizationAction', base: { name: '' }, call: (input) => createOrganizationAction(input as never), fields: { '': [], name: TEXT_OK } });
  fuzz({
    name: 'createOrganizationAction (billing email)',
    base: { name: 'Fuzz', billingEmail: 'not-an-email' },
    call: (input) => createOrganizationAction(input as never),
    fields: { billingEmail: ['undefined', 'empty string'] },
  });
  fuzz({
    name: 'updateOrganizationAction',
    base: { organizationId: 'o', name: '' },
    call: (input) => updateOrganizationAction(withOrg(input) as never),
    fields: { '': [], organizationId: [], name: TEXT_OK },
  });
  fuzz({
    name: 'updateOrganizationAction (billing email)',
    base: { organizationId: 'o', billingEmail: 'not-an-email' },
    call: (input) => updateOrganizationAction(withOrg(input) as never),
    fields: { billingEmail: ['undefined', 'null'] },
  });
  fuzz({
    name: 'inviteMemberAction',
    base: { organizationId: 'o', email: 'not-an-email' },
    call: (input) => inviteMemberAction(withOrg(input) as never),
    fields: { '': [], organizationId: [], email: [], role: ['undefined'] },
  });
  fuzz({
    name: 'revokeInviteAction',
    base: { organizationId: 'o', inviteId: 'not-an-invite' },
    call: (input) => revokeInviteAction(withOrg(input) as never),
    fields: { '': [], organizationId: [], inviteId: [] },
  });
  fuzz({
    name: 'setMemberRoleAction',
    base: { organizationId: 'o', memberId: 'u', role: 'superuser' },
    call: (input) => setMemberRoleAction(withOrg(input) as never),
    fields: { '': [], organizationId: [], memberId: [], role: [] },
  });
  fuzz({
    name: 'setMemberCapAction',
    base: { organizationId: 'o', memberId: 'u', monthlyCap: -5 },
    call: (input) => setMemberCapAction(withOrg(input) as never),
    fields: { '': [], organizationId: [], memberId: [], monthlyCap: ['null', '0', '-0'] },
  });
  fuzz({
    name: 'removeMemberAction',
    // The user is the organisation's only owner: removing themselves is refused.
    base: { organizationId: 'o', memberId: 'u' },
    call: (input) => removeMemberAction(withOrg(input) as never),
    fields: { '': [], organizationId: [], memberId: [] },
  });
  fuzz({
    name: 'leaveOrganizationAction',
    base: { organizationId: 'o' },
    call: (input) => leaveOrganizationAction(withOrg(input) as never),
    fields: { '': [], organizationId: [] },
  });
  fuzz({ name: 'acceptInviteAction', base: { token: 'x'.repeat(43) }, call: (input) => acceptInviteAction(input as never), fields: { '': [], token: [] } });
  fuzz({
    name: 'grantOrganizationBonusCredits',
    base: { organizationId: 'o', credits: 1, reason: 'Fuzz' },
    call: (input) => {
      signInAs(admin);
      return grantOrganizationBonusCredits(withOrg(input) as never);
    },
    fields: { '': [], organizationId: [], credits: [], reason: TEXT_OK, idempotencyKey: ['undefined'] },
  });
});

describe('routes', () => {
  fuzz({
    name: 'POST /api/examples/generate',
    base: { prompt: 'a red fox' },
    call: (body) =>
      handleGenerateRequest(
        new Request('http://localhost:3000/api/examples/generate', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: typeof body === 'string' ? body : (JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)) ?? ''),
        }),
        user.id,
      ),
    // Values JSON drops leave the body without the field: the caller's own wallet.
    fields: { '': [], prompt: [...JSON_TEXT_OK, 'Date'], organizationId: ['undefined', 'function', 'Symbol'] },
  });

  fuzz({
    name: 'POST /api/examples/stream',
    base: { prompt: 'tides' },
    call: (body) =>
      handleStreamRequest(
        new Request('http://localhost:3000/api/examples/stream', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: typeof body === 'string' ? body : (JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value)) ?? ''),
        }),
        user.id,
      ),
    // Values JSON drops leave the body without the field: the caller's own wallet.
    fields: { '': [], prompt: [...JSON_TEXT_OK, 'Date'], organizationId: ['undefined', 'function', 'Symbol'] },
  });

  it('POST /api/examples/generate refuses an over-long Idempotency-Key with 400, doing nothing', async () => {
    const before = await rowCounts();
    const response = await handleGenerateRequest(
      new Request('http://localhost:3000/api/examples/generate', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k'.repeat(300) },
        body: JSON.stringify({ prompt: 'a red fox' }),
      }),
      user.id,
    );
    expect(response.status).toBe(400);
    expect(await rowCounts()).toEqual(before);
  });
});

describe('the Stripe webhook', () => {
  let purchase: Awaited<ReturnType<typeof pendingPurchase>>;
  beforeAll(async () => {
    purchase = await pendingPurchase();
  });

  const signed = (event: unknown) => deliver(JSON.parse(JSON.stringify(event, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))));

  /** A session's fields, with `$id` and `$pi` standing for the pending purchase's session and payment intent. */
  const resolve = (object: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(object).map(([key, value]) => [key, value === '$id' ? purchase.session.id : value === '$pi' ? purchase.paymentIntent : value]),
    );
  /** The base session with one field changed (vs. a hostile value in place of the whole object). */
  const isBaseSession = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && 'payment_status' in value;

  fuzz({
    name: 'checkout.session.completed',
    base: { object: { id: '$id', payment_intent: '$pi', amount_total: 1000, currency: 'usd', payment_status: 'paid', total_details: null } },
    call: (input: { object: unknown }) => {
      const event = purchase.completed();
      const session = input?.object;
      (event.data as { object: unknown }).object = isBaseSession(session) ? { ...(event.data as { object: object }).object, ...resolve(session) } : session;
      return signed(event);
    },
    // Absent or null where Stripe may leave them out; well-formed ids and labels that are simply not ours.
    fields: {
      object: [],
      'object.id': JSON_TEXT_OK,
      'object.amount_total': [...JSON_NULLS, '0', '-0'],
      'object.currency': JSON_NULLS,
      'object.payment_intent': [...JSON_TEXT_OK, ...JSON_NULLS],
      'object.payment_status': JSON_TEXT_OK,
      'object.total_details': [...JSON_NULLS, 'empty object', 'nested object', '__proto__ key', 'object with toString', 'object with valueOf'],
    },
  });

  fuzz({
    name: 'charge.refunded',
    base: { amount_refunded: 100 },
    call: (input: Record<string, unknown>) => signed(fixtureEvent('charge.refunded.json', { payment_intent: purchase.paymentIntent, ...(input as object) })),
    fields: { amount_refunded: ['0', '-0'], payment_intent: [...JSON_TEXT_OK, ...JSON_NULLS], id: JSON_TEXT_OK },
  });

  fuzz({
    name: 'charge.dispute.created',
    base: { amount: 100, status: 'warning_needs_response', reason: 'fraudulent' },
    call: (input: Record<string, unknown>) =>
      signed(fixtureEvent('charge.dispute.created.json', { payment_intent: purchase.paymentIntent, ...(input as object) })),
    fields: { amount: ['0', '-0'], status: JSON_TEXT_OK, reason: JSON_TEXT_OK, id: JSON_TEXT_OK },
  });

  fuzz({
    name: 'event envelope',
    base: { id: 'evt_fuzz', created: 1_800_000_000, type: 'charge.refunded' },
    call: (input: Record<string, unknown>) => {
      const event = fixtureEvent('charge.refunded.json', { payment_intent: purchase.paymentIntent, amount_refunded: 1 });
      return signed({ ...event, ...(input as object) });
    },
    // A type we do not handle is acknowledged (200, nothing written), so type gets only values that are not strings.
    fields: {
      id: JSON_TEXT_OK,
      created: [],
      type: [...JSON_TEXT_OK, 'Date', 'blank string', 'NUL', 'NUL inside', 'lone high surrogate', 'lone low surrogate'],
    },
  });

  /** An event of `type` about `object`, signed; a payment intent, card or setup of nobody's, so a well-formed one is acknowledged and ignored. */
  const eventAbout = (type: string, object: unknown) => signed({ ...fixtureEvent('charge.refunded.json'), type, data: { object } });
  const JSON_OBJECTS_OK = ['empty object', 'object with toString', 'object with valueOf'];

  fuzz({
    name: 'payment_intent.succeeded',
    base: { id: 'pi_fuzz', status: 'succeeded', amount: 1000, amount_received: 1000, currency: 'usd', metadata: {} },
    call: (input: unknown) => eventAbout('payment_intent.succeeded', input),
    fields: {
      '': [],
      id: JSON_TEXT_OK,
      status: JSON_TEXT_OK,
      amount: ['0', '-0'],
      amount_received: [...JSON_NULLS, '0', '-0'],
      currency: [],
      // Metadata is free-form: a `__proto__` key is dropped as it is parsed, leaving none of ours.
      metadata: [...JSON_NULLS, ...JSON_OBJECTS_OK, '__proto__ key'],
    },
  });
  fuzz({
    name: 'payment_intent.payment_failed',
    base: {
      id: 'pi_fuzz',
      status: 'requires_payment_method',
      amount: 1000,
      currency: 'usd',
      last_payment_error: { code: 'card_declined', message: 'Declined' },
    },
    call: (input: unknown) => eventAbout('payment_intent.payment_failed', input),
    // Stripe's error object carries fields we do not read: an object without our two is one that says nothing.
    fields: { '': [], id: JSON_TEXT_OK, status: JSON_TEXT_OK, last_payment_error: [...JSON_NULLS, ...JSON_OBJECTS_OK, 'nested object', '__proto__ key'] },
  });
  fuzz({
    name: 'setup_intent.succeeded',
    base: { id: 'seti_fuzz', status: 'succeeded', customer: 'cus_nobody', payment_method: 'pm_fuzz', metadata: {} },
    call: (input: unknown) => eventAbout('setup_intent.succeeded', input),
    fields: { '': [], id: JSON_TEXT_OK, status: JSON_TEXT_OK, customer: [...JSON_TEXT_OK, ...JSON_NULLS], payment_method: [...JSON_TEXT_OK, ...JSON_NULLS] },
  });
  fuzz({
    name: 'payment_method.detached',
    base: { id: 'pm_fuzz' },
    call: (input: unknown) => eventAbout('payment_method.detached', input),
    fields: { '': [], id: JSON_TEXT_OK },
  });

  it('answers 400 to a request whose body is not JSON at all, signed or not', async () => {
    const before = await rowCounts();
    const response = await webhookPost(
      new Request('http://localhost:3000/api/webhooks/stripe', { method: 'POST', headers: { 'stripe-signature': 't=1,v1=x' }, body: '\u0000\uD800' }),
    );
    expect(response.status).toBe(400);
    expect(await rowCounts()).toEqual(before);
  });
});
