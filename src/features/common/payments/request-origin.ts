import 'server-only';

import { headers } from 'next/headers';

import { env } from '@/config/env';

/**
 * The origins this request may be answered on: the one the browser used (from the Host header,
 * and X-Forwarded-Proto behind a proxy) and `APP_URL`. The first is where the browser is.
 */
export async function requestOrigins(): Promise<string[]> {
  const h = await headers();
  const host = h.get('x-forwarded-host') ?? h.get('host');
  const appOrigin = new URL(env.APP_URL).origin;
  if (!host) return [appOrigin];
  const proto = h.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? new URL(env.APP_URL).protocol.replace(':', '');
  const current = `${proto}://${host}`;
  return current === appOrigin ? [appOrigin] : [current, appOrigin];
}
