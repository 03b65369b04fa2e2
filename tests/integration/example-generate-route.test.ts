import { describe, expect, it, vi } from 'vitest';

import { getCreditsBalance, withCredits } from '@/features/common/payments/service/credits-balance.service';
import { fingerprintRequest, respondOnce } from '@/features/common/payments/service/idempotent-request.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { handleGenerateRequest } from '@/features/examples/generation/generate-handler';
import { createUser, ledgerOf } from '../helpers/factories';
import { setupTestDatabase } from '../helpers/test-database';

setupTestDatabase();

/** Sends the request the route receives, as the user the route's session lookup found (or nobody). */
function generate(body: unknown, as: { userId: string | null; headers?: Record<string, string> }) {
  const request = new Request('http://localhost:3000/api/examples/generate', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...as.headers },
    body: JSON.stringify(body),
  });
  return handleGenerateRequest(request, as.userId);
}

async function userWithBonus(bonus: number) {
  const user = await createUser();
  if (bonus) await addCreditsDirectly({ userId: user.id, credits: bonus, creditsType: 'bonus', reason: 'Promo' });
  return user;
}

describe('POST /api/examples/generate', () => {
  it('reserves 10 credits, does the work, then charges them', async () => {
    const user = await userWithBonus(25);
    const response = await generate({ prompt: 'a red fox' }, { userId: user.id });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.output).toContain('a red fox');
    expect(body.credits).toMatchObject({ creditsBalance: 15, creditsCharged: 10, creditsHeld: 0 });
    expect((await getCreditsBalance(user.id)).creditsUsed).toBe(10);
    expect((await ledgerOf(user.id)).map((e) => [e.type, e.feature])).toEqual([
      ['grant', null],
      ['hold', 'generation'],
      ['hold_settled', 'generation'],
    ]);
  });

  it('costs nothing when the generation fails: 502, and the reservation is released', async () => {
    const user = await userWithBonus(25);
    const response = await generate({ prompt: '/fail please' }, { userId: user.id });
    expect(response.status).toBe(502);
    expect((await response.json()).error.code).toBe('GENERATION_FAILED');
    expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBalance: 25, creditsHeld: 0, creditsUsed: 0 });
    expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant', 'hold', 'hold_released']);
  });

  it('answers 402 naming required and available credits when the user cannot pay, and charges nothing', async () => {
    const user = await userWithBonus(7);
    const response = await generate({ prompt: 'a red fox' }, { userId: user.id });
    expect(response.status).toBe(402);
    expect(await response.json()).toEqual({
      error: { code: 'INSUFFICIENT_CREDITS', message: 'Not enough credits: 10 required, 7 available', required: 10, available: 7 },
    });
    expect(await ledgerOf(user.id)).toHaveLength(1);
  });

  it('answers 401 when signed out', async () => {
    const response = await generate({ prompt: 'a red fox' }, { userId: null });
    expect(response.status).toBe(401);
  });

  it('answers 400 for a missing prompt and charges nothing', async () => {
    const user = await userWithBonus(50);
    const response = await generate({}, { userId: user.id });
    expect(response.status).toBe(400);
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(50);
  });

  it.each([
    ['broken JSON', '{oops'],
    ['an empty body', ''],
  ])('answers 400 saying the body must be JSON for %s, and charges nothing', async (_, body) => {
    const user = await userWithBonus(50);
    const response = await handleGenerateRequest(
      new Request('http://localhost:3000/api/examples/generate', { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
      user.id,
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'INVALID_INPUT', message: 'The body must be JSON, such as {"prompt": "a red fox"}.' } });
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(50);
  });

  it('answers a request retried with the same Idempotency-Key with the first response, charging and working once', async () => {
    const user = await userWithBonus(50);
    const as = { userId: user.id, headers: { 'idempotency-key': 'req-1' } };
    const [first, retry] = [await generate({ prompt: 'x' }, as), await generate({ prompt: 'x' }, as)];
    expect([first.status, retry.status]).toEqual([200, 200]);
    const [firstBody, retryBody] = [await first.json(), await retry.json()];
    // A second run of the work would have made a new generation id.
    expect(retryBody).toEqual(firstBody);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(40);
  });

  it('refuses the same Idempotency-Key with another prompt with 409 IDEMPOTENCY_CONFLICT, doing no work', async () => {
    const user = await userWithBonus(100);
    const as = { userId: user.id, headers: { 'idempotency-key': 'req-2' } };
    expect((await generate({ prompt: 'first prompt' }, as)).status).toBe(200);

    const outputs = [];
    for (const prompt of ['second prompt', 'third prompt', 'fourth prompt']) {
      const response = await generate({ prompt }, as);
      expect(response.status).toBe(409);
      outputs.push(await response.json());
    }
    expect(outputs.every((body) => body.error.code === 'IDEMPOTENCY_CONFLICT' && !('output' in body))).toBe(true);
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(90);
    // The grant, then the one generation's reservation and its charge: the refused requests wrote nothing.
    expect(await ledgerOf(user.id)).toHaveLength(3);
  });

  it('answers 409 REQUEST_IN_PROGRESS with Retry-After while the first request with the key still runs', async () => {
    const user = await userWithBonus(100);
    const requestFingerprint = fingerprintRequest({ endpoint: 'generate', prompt: 'slow', organizationId: null });
    let finish!: () => void;
    const first = respondOnce({ userId: user.id, idempotencyKey: 'generate:req-3', requestFingerprint }, async () => {
      await new Promise<void>((resolve) => (finish = resolve));
      return { status: 200, body: { done: true } };
    });
    await vi.waitFor(() => expect(finish).toBeTypeOf('function'));

    const retry = await generate({ prompt: 'slow' }, { userId: user.id, headers: { 'idempotency-key': 'req-3' } });
    expect(retry.status).toBe(409);
    expect(retry.headers.get('retry-after')).toMatch(/^[1-5]$/);
    expect((await retry.json()).error.code).toBe('REQUEST_IN_PROGRESS');
    finish();
    expect(await first).toEqual({ status: 200, body: { done: true }, replayed: false });
  });

  it('lets a retry do the work when the first attempt failed, charging once in all (the failure cost nothing)', async () => {
    const user = await userWithBonus(100);
    const request = { userId: user.id, idempotencyKey: 'generate:req-4', requestFingerprint: fingerprintRequest({ endpoint: 'generate', prompt: 'p' }) };
    await expect(
      respondOnce(request, async () =>
        withCredits({ userId: user.id, credits: 10, reason: 'Run generation', feature: 'generation' }, async () => {
          throw new Error('model timed out');
        }).then(() => ({ status: 200, body: {} })),
      ),
    ).rejects.toThrow('model timed out');
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(100);

    const retry = await generate({ prompt: 'p' }, { userId: user.id, headers: { 'idempotency-key': 'req-4' } });
    expect(retry.status).toBe(200);
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(90);
  });
});
