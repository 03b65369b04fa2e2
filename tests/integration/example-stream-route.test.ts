import { afterEach, describe, expect, it } from 'vitest';

import { getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { handleStreamRequest, STREAM_MAX_CREDITS } from '@/features/examples/streaming/stream-answer';
import { createUser, expectLedgerMatchesBalances, ledgerOf } from '../helpers/factories';
import { setupTestDatabase } from '../helpers/test-database';

setupTestDatabase();

afterEach(async () => {
  await expectLedgerMatchesBalances();
});

function ask(prompt: unknown, userId: string | null) {
  const request = new Request('http://localhost:3000/api/examples/stream', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt }),
  });
  return handleStreamRequest(request, userId);
}

async function userWith(credits: number) {
  const user = await createUser();
  await addCreditsDirectly({ userId: user.id, credits, creditsType: 'purchased', reason: 'Pack' });
  return user;
}

/** Reads NDJSON lines from a streamed body, stopping after `limit` lines (then cancelling the stream). */
async function readLines(response: Response, limit = Number.POSITIVE_INFINITY) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  while (lines.length < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0 && lines.length < limit) {
      lines.push(JSON.parse(buffer.slice(0, newline)));
      buffer = buffer.slice(newline + 1);
    }
  }
  if (lines.length >= limit) await reader.cancel();
  return lines;
}

describe('POST /api/examples/stream', () => {
  it('reserves the most an answer can cost, streams it, and charges one credit per word delivered', async () => {
    const user = await userWith(100);
    const response = await ask('tides', user.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = await readLines(response);
    const tokens = lines.filter((l) => l.type === 'token');
    const done = lines.at(-1)!;
    expect(done).toMatchObject({ type: 'done', creditsCharged: tokens.length, creditsBalance: 100 - tokens.length });
    expect(tokens.length).toBeLessThan(STREAM_MAX_CREDITS);
    expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBalance: 100 - tokens.length, creditsHeld: 0, creditsUsed: tokens.length });
    expect((await ledgerOf(user.id)).map((e) => [e.type, e.usedDelta, e.feature])).toEqual([
      ['grant', 0, null],
      ['hold', 0, 'chat'],
      ['hold_settled', tokens.length, 'chat'],
    ]);
  });

  it('charges only the words a client got before it went away', async () => {
    const user = await userWith(100);
    const lines = await readLines(await ask('tides', user.id), 4);
    expect(lines).toHaveLength(4);
    expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBalance: 96, creditsHeld: 0, creditsUsed: 4 });
  });

  it('charges nothing when the answer fails mid-stream', async () => {
    const user = await userWith(100);
    const lines = await readLines(await ask('/fail tides', user.id));
    expect(lines.at(-1)).toMatchObject({ type: 'error' });
    expect(lines.filter((l) => l.type === 'token')).toHaveLength(3);
    expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBalance: 100, creditsHeld: 0, creditsUsed: 0 });
  });

  it('answers 402 before streaming when the reservation is not covered, 401 signed out, 400 for a bad body', async () => {
    const poor = await userWith(STREAM_MAX_CREDITS - 1);
    const refused = await ask('tides', poor.id);
    expect(refused.status).toBe(402);
    expect((await refused.json()).error).toMatchObject({ code: 'INSUFFICIENT_CREDITS', required: STREAM_MAX_CREDITS, available: STREAM_MAX_CREDITS - 1 });
    expect((await ask('tides', null)).status).toBe(401);
    expect((await ask('', poor.id)).status).toBe(400);
    expect(await ledgerOf(poor.id)).toHaveLength(1);
  });
});
