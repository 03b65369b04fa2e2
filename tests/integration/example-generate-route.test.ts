import { describe, expect, it } from 'vitest';

import { getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
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
  it('charges 10 credits, then does the work', async () => {
    const user = await userWithBonus(25);
    const response = await generate({ prompt: 'a red fox' }, { userId: user.id });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.output).toContain('a red fox');
    expect(body.credits).toMatchObject({ creditsBalance: 15, deductedFromBonus: 10 });
    expect((await getCreditsBalance(user.id)).creditsUsed).toBe(10);
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

  it('charges once for a request retried with the same Idempotency-Key', async () => {
    const user = await userWithBonus(50);
    const as = { userId: user.id, headers: { 'idempotency-key': 'req-1' } };
    const [first, retry] = [await generate({ prompt: 'x' }, as), await generate({ prompt: 'x' }, as)];
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect((await getCreditsBalance(user.id)).creditsBalance).toBe(40);
  });
});
