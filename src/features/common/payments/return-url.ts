import { AppError } from '@/shared/lib/app-error';

export class InvalidReturnUrlError extends AppError {
  readonly code = 'INVALID_RETURN_URL';
  constructor(readonly url: string) {
    super(`Return URLs must be on this site; "${url}" is not`);
    this.name = 'InvalidReturnUrlError';
  }
}

/**
 * Resolves a checkout return URL against the site's origin and refuses one on any other origin, so
 * checkout can never be used to bounce a buyer to somebody else's site (an open redirect).
 * `allowedOrigins` are the origins this site answers on.
 */
export function resolveReturnUrl(url: string, allowedOrigins: string[]): string {
  const [home] = allowedOrigins;
  let resolved: URL;
  try {
    resolved = new URL(url, home);
  } catch {
    throw new InvalidReturnUrlError(url);
  }
  if (!allowedOrigins.includes(resolved.origin)) throw new InvalidReturnUrlError(url);
  return resolved.toString();
}
