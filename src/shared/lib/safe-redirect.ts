/**
 * Returns `target` when it is a path on this site, else `fallback`. Guards every redirect that a
 * request can name (`callbackUrl`, checkout return URLs) against open redirects: `//evil.com` and
 * `/\evil.com` are read by browsers as other hosts, so only a single leading slash passes.
 */
export function safeRedirectPath(target: unknown, fallback: string): string {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) {
    return fallback;
  }
  return target;
}
