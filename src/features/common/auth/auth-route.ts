import 'server-only';

import type { NextRequest } from 'next/server';

import { handlers } from '@/features/common/auth/auth';
import { limitMagicLinkRequest, magicLinkLimitMessage } from '@/features/common/auth/magic-link-limits';
import { clientAddress } from '@/shared/lib/rate-limit';
import { BodyTooLargeError, readBodyWithin } from '@/shared/lib/read-body';

/** A sign-in form is a few hundred bytes. */
const MAX_SIGN_IN_BODY_BYTES = 16 * 1024;

/**
 * Auth.js's POST endpoint, with the sign-in link limits in front of `/signin/email`: the app's form
 * goes through a server action that counts them, but the endpoint can be called directly too.
 * Answers 429 with `Retry-After` past either limit, without sending anything.
 */
export async function handleAuthPost(request: NextRequest): Promise<Response> {
  if (request.nextUrl.pathname.endsWith('/signin/email')) {
    let body: Buffer;
    try {
      body = await readBodyWithin(request.clone(), MAX_SIGN_IN_BODY_BYTES);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return Response.json({ error: error.message }, { status: 413 });
      throw error;
    }
    const email = new URLSearchParams(body.toString('utf8')).get('email');
    if (email) {
      const verdict = await limitMagicLinkRequest(email, clientAddress(request.headers));
      if (!verdict.allowed) {
        return Response.json(
          { error: { code: 'RATE_LIMITED', message: magicLinkLimitMessage(verdict.retryAfterSeconds), retryAfterSeconds: verdict.retryAfterSeconds } },
          { status: 429, headers: { 'retry-after': String(verdict.retryAfterSeconds) } },
        );
      }
    }
  }
  return handlers.POST(request);
}
