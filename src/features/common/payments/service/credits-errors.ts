import { AppError } from '@/shared/lib/app-error';

/**
 * Typed errors of the credits feature. Each has a stable `code` that routes and server actions map
 * to a status or a message at the edge; the message is written for the developer reading a log.
 */

export type CreditsErrorCode =
  | 'INVALID_INPUT'
  | 'INSUFFICIENT_CREDITS'
  | 'USER_NOT_FOUND'
  | 'IDEMPOTENCY_CONFLICT'
  | 'CREDITS_DISABLED'
  | 'BALANCE_LIMIT'
  | 'UNKNOWN_PACKAGE'
  | 'MANUAL_TOP_UP_DISABLED'
  | 'TOP_UP_OUT_OF_RANGE'
  | 'CHECKOUT_UNAVAILABLE'
  | 'ORGANIZATION_NOT_FOUND'
  | 'NOT_ORGANIZATION_MEMBER'
  | 'ORGANIZATION_ROLE_REQUIRED'
  | 'MEMBER_CAP_EXCEEDED'
  | 'HOLD_NOT_FOUND'
  | 'HOLD_CLOSED'
  | 'LOT_NOT_FOUND'
  | 'INVITE_UNUSABLE'
  | 'INVALID_RETURN_URL'
  | 'REQUEST_IN_PROGRESS'
  | 'RATE_LIMITED'
  | 'PURCHASE_NOT_UNDER_REVIEW'
  | 'CORRECTION_BELOW_ZERO'
  | 'STRIPE_UNAVAILABLE'
  | 'UNSUPPORTED_CURRENCY'
  | 'AUTO_TOP_UP_DISABLED'
  | 'NO_SAVED_CARD'
  | 'AUTO_TOP_UP_PRICE_CHANGED';

export abstract class CreditsError extends AppError {
  abstract override readonly code: CreditsErrorCode;
}

/** An argument was missing, of the wrong type or out of range. Nothing was written. */
export class InvalidCreditsInputError extends CreditsError {
  readonly code = 'INVALID_INPUT';
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`Invalid credits request: ${issues.map((i) => (i.path ? `${i.path} ${i.message}` : i.message)).join('; ')}`);
    this.name = 'InvalidCreditsInputError';
  }
}

/** Bonus + purchased credits do not cover the cost. Nothing was deducted. */
export class InsufficientCreditsError extends CreditsError {
  readonly code = 'INSUFFICIENT_CREDITS';
  constructor(
    readonly required: number,
    readonly available: number,
  ) {
    super(`Not enough credits: ${required} required, ${available} available`);
    this.name = 'InsufficientCreditsError';
  }

  override get details() {
    return { required: this.required, available: this.available };
  }
}

export class UserNotFoundError extends CreditsError {
  readonly code = 'USER_NOT_FOUND';
  constructor(
    readonly userId: string,
    options?: ErrorOptions,
  ) {
    super(`No user with id "${userId}"`, options);
    this.name = 'UserNotFoundError';
  }
}

/** The idempotency key was used before for a different request. Nothing was written. */
export class IdempotencyConflictError extends CreditsError {
  readonly code = 'IDEMPOTENCY_CONFLICT';
  constructor(readonly idempotencyKey: string) {
    super(`Idempotency key "${idempotencyKey}" was already used with different arguments`);
    this.name = 'IdempotencyConflictError';
  }
}

/** `billing.credits.enabled` is false in src/config/app.ts. */
export class CreditsDisabledError extends CreditsError {
  readonly code = 'CREDITS_DISABLED';
  constructor() {
    super('Credits are disabled: set billing.credits.enabled to true in src/config/app.ts');
    this.name = 'CreditsDisabledError';
  }
}

/** The balance would leave the range the ledger can represent exactly. Nothing was written. */
export class CreditsBalanceLimitError extends CreditsError {
  readonly code = 'BALANCE_LIMIT';
  constructor(options?: ErrorOptions) {
    super(`The balance would exceed ${Number.MAX_SAFE_INTEGER} credits`, options);
    this.name = 'CreditsBalanceLimitError';
  }
}

/** No credit package with that id in src/config/app.ts. No checkout was created. */
export class UnknownPackageError extends CreditsError {
  readonly code = 'UNKNOWN_PACKAGE';
  constructor(readonly packageId: string) {
    super(`No credit package "${packageId}" in billing.credits.packages`);
    this.name = 'UnknownPackageError';
  }
}

/** A manual amount while `billing.credits.enterManually` is false. No checkout was created. */
export class ManualTopUpDisabledError extends CreditsError {
  readonly code = 'MANUAL_TOP_UP_DISABLED';
  constructor() {
    super('Manual top-ups are disabled: set billing.credits.enterManually to true in src/config/app.ts');
    this.name = 'ManualTopUpDisabledError';
  }
}

/** A manual amount below Stripe's minimum charge or above the configured maximum. */
export class TopUpOutOfRangeError extends CreditsError {
  readonly code = 'TOP_UP_OUT_OF_RANGE';
  constructor(
    readonly credits: number,
    readonly min: number,
    readonly max: number,
  ) {
    super(`A top-up must be between ${min} and ${max} credits, not ${credits}`);
    this.name = 'TopUpOutOfRangeError';
  }

  override get details() {
    return { min: this.min, max: this.max };
  }
}

/** Stripe could not be reached or refused for its own reasons. The purchase was marked failed. */
export class CheckoutUnavailableError extends CreditsError {
  readonly code = 'CHECKOUT_UNAVAILABLE';
  constructor(options?: ErrorOptions) {
    super('Checkout is unavailable right now; nothing was charged. Try again in a moment.', options);
    this.name = 'CheckoutUnavailableError';
  }
  /** Stripe was down, slow or rate-limiting: the same request may succeed later. */
  readonly retryable = true;
}

/**
 * Stripe did not answer within its deadline, or answered with an error of its own (not a request it
 * calls invalid). Retryable: the same call, with the same idempotency key, may succeed later.
 */
export class StripeUnavailableError extends CreditsError {
  readonly code = 'STRIPE_UNAVAILABLE';
  readonly retryable = true;
  constructor(
    readonly operation: string,
    options?: ErrorOptions,
  ) {
    super(`Stripe is unavailable (${operation}); try again later`, options);
    this.name = 'StripeUnavailableError';
  }
}

/** The currency is not one the app sells credits in (`billing.credits.currencies`). Nothing was written. */
export class UnsupportedCurrencyError extends CreditsError {
  readonly code = 'UNSUPPORTED_CURRENCY';
  constructor(
    readonly currency: string,
    readonly supported: readonly string[],
  ) {
    super(`Credits cannot be bought in "${currency.slice(0, 10)}"; choose one of ${supported.join(', ')}`);
    this.name = 'UnsupportedCurrencyError';
  }

  override get details() {
    return { supported: [...this.supported] };
  }
}

/** No organisation with that id. Nothing was written. */
export class OrganizationNotFoundError extends CreditsError {
  readonly code = 'ORGANIZATION_NOT_FOUND';
  constructor(readonly organizationId: string) {
    super(`No organization with id "${organizationId}"`);
    this.name = 'OrganizationNotFoundError';
  }
}

/** The user is not (or no longer) a member of the organisation whose wallet they named. Nothing was written. */
export class NotOrganizationMemberError extends CreditsError {
  readonly code = 'NOT_ORGANIZATION_MEMBER';
  constructor(
    readonly userId: string,
    readonly organizationId: string,
  ) {
    super(`User "${userId}" is not a member of organization "${organizationId}"`);
    this.name = 'NotOrganizationMemberError';
  }
}

/** Only an organisation's owners and admins may do this (buy credits, set caps, manage members). */
export class OrganizationRoleRequiredError extends CreditsError {
  readonly code = 'ORGANIZATION_ROLE_REQUIRED';
  constructor(readonly organizationId: string) {
    super(`Only owners and admins of organization "${organizationId}" may do that`);
    this.name = 'OrganizationRoleRequiredError';
  }
}

/** The member's monthly cap on the organisation's wallet does not cover this. Nothing was deducted. */
export class MemberCapExceededError extends CreditsError {
  readonly code = 'MEMBER_CAP_EXCEEDED';
  constructor(
    readonly required: number,
    readonly cap: number,
    readonly used: number,
  ) {
    super(`Monthly cap reached: ${required} required, ${Math.max(0, cap - used)} of the ${cap}-credit cap left this month`);
    this.name = 'MemberCapExceededError';
  }

  override get details() {
    return { required: this.required, cap: this.cap, used: this.used, remaining: Math.max(0, this.cap - this.used) };
  }
}

/** No hold with that id on this wallet (it may belong to someone else). Nothing was written. */
export class HoldNotFoundError extends CreditsError {
  readonly code = 'HOLD_NOT_FOUND';
  constructor(readonly holdId: string) {
    super(`No credit hold "${holdId}" on this wallet`);
    this.name = 'HoldNotFoundError';
  }
}

export interface ClosedHoldState {
  holdId: string;
  status: 'settled' | 'released' | 'expired';
  creditsHeld: number;
  /** What settling charged; null unless settled. */
  creditsCharged: number | null;
  closedAt: Date | null;
}

/** The hold was already closed another way (settled, released or expired). Nothing was written. */
export class HoldClosedError extends CreditsError {
  readonly code = 'HOLD_CLOSED';
  constructor(readonly hold: ClosedHoldState) {
    super(`Credit hold "${hold.holdId}" is already ${hold.status}`);
    this.name = 'HoldClosedError';
  }

  override get details() {
    return { hold: this.hold };
  }
}

/** No credit lot with that id on this wallet. Nothing was written. */
export class LotNotFoundError extends CreditsError {
  readonly code = 'LOT_NOT_FOUND';
  constructor(readonly lotId: string) {
    super(`No credit lot "${lotId}" on this wallet`);
    this.name = 'LotNotFoundError';
  }
}

/**
 * A checkout return URL that is not on `APP_URL`'s origin (or not a URL). Checkout never sends a
 * buyer to another site; the message says what to set when the app runs somewhere else.
 */
export class InvalidReturnUrlError extends CreditsError {
  readonly code = 'INVALID_RETURN_URL';
  constructor(
    readonly url: string,
    readonly appOrigin: string,
  ) {
    super(
      `Return URLs must be on APP_URL's origin (${appOrigin}); "${url}" is not. ` +
        (isUrlOn(url)
          ? `If the app is served at ${new URL(url).origin}, set APP_URL=${new URL(url).origin} (in development you can leave APP_URL unset: it follows the port the server listens on).`
          : 'Pass a path such as "/dashboard?billing=success" or an absolute URL on that origin.'),
    );
    this.name = 'InvalidReturnUrlError';
  }

  override get details() {
    return { appOrigin: this.appOrigin };
  }
}

function isUrlOn(url: string): boolean {
  try {
    return /^https?:$/.test(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** A request with this idempotency key is still running. Nothing was done; retry after it ends. */
export class RequestInProgressError extends CreditsError {
  readonly code = 'REQUEST_IN_PROGRESS';
  constructor(
    readonly idempotencyKey: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(`A request with idempotency key "${idempotencyKey}" is still running; retry once it has finished`);
    this.name = 'RequestInProgressError';
  }

  override get details() {
    return { retryAfterSeconds: this.retryAfterSeconds };
  }
}

/** Too many requests of this kind from this user, address or email in the configured window. Nothing was done. */
export class RateLimitedError extends CreditsError {
  readonly code = 'RATE_LIMITED';
  constructor(
    readonly limit: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`Too many requests (${limit}); try again in ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }

  override get details() {
    return { retryAfterSeconds: this.retryAfterSeconds };
  }
}

/** The purchase is not (or no longer) held for review: it was credited already, or never held. */
export class PurchaseNotUnderReviewError extends CreditsError {
  readonly code = 'PURCHASE_NOT_UNDER_REVIEW';
  constructor(readonly purchaseId: string) {
    super(`Purchase "${purchaseId}" is not held for review`);
    this.name = 'PurchaseNotUnderReviewError';
  }
}

/** A correction would take a bucket below zero: its spendable credits do not cover it. Nothing was written. */
export class CorrectionBelowZeroError extends CreditsError {
  readonly code = 'CORRECTION_BELOW_ZERO';
  constructor(
    readonly bucket: 'bonus' | 'purchased',
    readonly required: number,
    readonly available: number,
  ) {
    super(`Cannot take ${required} ${bucket} credits: only ${available} ${bucket} credits can be taken (held and expired credits cannot)`);
    this.name = 'CorrectionBelowZeroError';
  }

  override get details() {
    return { bucket: this.bucket, required: this.required, available: this.available };
  }
}

/** Auto top-up is switched off in `billing.credits.autoTopUp`. Nothing was written. */
export class AutoTopUpDisabledError extends CreditsError {
  readonly code = 'AUTO_TOP_UP_DISABLED';
  constructor() {
    super('Auto top-up is not offered (billing.credits.autoTopUp.enabled is false)');
    this.name = 'AutoTopUpDisabledError';
  }
}

/** Auto top-up needs a saved card first (Checkout in setup mode). Nothing was written. */
export class NoSavedCardError extends CreditsError {
  readonly code = 'NO_SAVED_CARD';
  constructor(readonly walletId: string) {
    super(`Wallet "${walletId}" has no saved card: save one before turning auto top-up on`);
    this.name = 'NoSavedCardError';
  }
}

/**
 * The amount the user agreed to is not the package's price now (the price changed while the page was
 * open). Nothing was written: show the new amount and ask again.
 */
export class AutoTopUpPriceChangedError extends CreditsError {
  readonly code = 'AUTO_TOP_UP_PRICE_CHANGED';
  constructor(
    readonly expectedMinor: number,
    readonly amountMinor: number,
    readonly currency: string,
  ) {
    super(`The package now costs ${amountMinor} ${currency} minor units, not the ${expectedMinor} agreed to; nothing was changed`);
    this.name = 'AutoTopUpPriceChangedError';
  }

  override get details() {
    return { amountMinor: this.amountMinor, currency: this.currency };
  }
}
