import { InvalidReturnUrlError } from '@/features/common/payments/service/credits-errors';

export { InvalidReturnUrlError } from '@/features/common/payments/service/credits-errors';

/**
 * Resolves a checkout return URL against the app's origin (`APP_URL`) and refuses one on any other
 * origin, so checkout can never bounce a buyer to somebody else's site (an open redirect). A path
 * ("/dashboard?billing=success") is taken as on the app's origin. Never resolved against request
 * headers: Host and X-Forwarded-Host are whatever the caller says they are.
 */
export function resolveReturnUrl(url: string, appOrigin: string): string {
  let resolved: URL;
  try {
    resolved = new URL(url, appOrigin);
  } catch {
    throw new InvalidReturnUrlError(url, appOrigin);
  }
  if (resolved.origin !== appOrigin) throw new InvalidReturnUrlError(url, appOrigin);
  return resolved.toString();
}
