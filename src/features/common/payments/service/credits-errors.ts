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
  | 'BALANCE_LIMIT';

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
