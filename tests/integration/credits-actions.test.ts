import { randomUUID } from 'node:crypto';

import { beforeEach, describe, expect, it, vi } from 'vitest';

import { grantBonusCredits } from '@/features/common/payments/actions/admin-credits.action';
import { getMyCredits } from '@/features/common/payments/actions/get-my-credits.action';
import { getSessionUser, type SessionUser } from '@/features/common/auth/session';
import { getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { createUser, expectLedgerMatchesBalances, ledgerOf } from '../helpers/factories';
import { setupTestDatabase } from '../helpers/test-database';

// The session comes from next-auth's request context, which a test does not have: stand in for it.
vi.mock('@/features/common/auth/session', () => ({ getSessionUser: vi.fn() }));

setupTestDatabase();

function signInAs(user: { id: string; email: string | null; role: SessionUser['role'] } | null) {
  vi.mocked(getSessionUser).mockResolvedValue(user && { id: user.id, email: user.email, role: user.role, name: null });
}

beforeEach(() => signInAs(null));

describe('getMyCredits', () => {
  it('returns the signed-in user’s balances', async () => {
    const user = await createUser();
    await addCreditsDirectly({ userId: user.id, credits: 100, creditsType: 'bonus', reason: 'Sign-up bonus' });
    signInAs(user);
    expect(await getMyCredits()).toEqual({ ok: true, data: { creditsBalance: 100, creditsBonus: 100, creditsPurchased: 0, creditsHeld: 0, creditsUsed: 0 } });
  });

  it('refuses a visitor who is not signed in', async () => {
    expect(await getMyCredits()).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});

describe('grantBonusCredits', () => {
  it('adds bonus credits recorded with the admin as actor', async () => {
    const [admin, user] = [await createUser({ role: 'admin' }), await createUser()];
    signInAs(admin);

    const result = await grantBonusCredits({ userId: user.id, credits: 250, reason: 'Outage compensation' });

    expect(result).toMatchObject({ ok: true, data: { creditsBonus: 250, creditsBalance: 250 } });
    expect(await ledgerOf(user.id)).toMatchObject([
      { type: 'grant', bonusDelta: 250, purchasedDelta: 0, reason: 'Outage compensation', actorType: 'admin', actorId: admin.id },
    ]);
    await expectLedgerMatchesBalances();
  });

  it('refuses a user who is not an admin and writes nothing', async () => {
    const user = await createUser();
    signInAs(user);

    const result = await grantBonusCredits({ userId: user.id, credits: 250, reason: 'Free money' });

    expect(result).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await ledgerOf(user.id)).toEqual([]);
  });

  it('refuses a visitor who is not signed in', async () => {
    const user = await createUser();
    expect(await grantBonusCredits({ userId: user.id, credits: 250, reason: 'Free money' })).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    expect(await ledgerOf(user.id)).toEqual([]);
  });

  it.each([
    ['zero', 0],
    ['negative', -250],
    ['fractional', 2.5],
  ])('refuses a %s amount and writes nothing', async (_label, credits) => {
    const [admin, user] = [await createUser({ role: 'admin' }), await createUser()];
    signInAs(admin);
    expect(await grantBonusCredits({ userId: user.id, credits, reason: 'Typo' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/^credits: /) },
    });
    expect(await ledgerOf(user.id)).toEqual([]);
  });

  it('refuses a grant without a reason', async () => {
    const [admin, user] = [await createUser({ role: 'admin' }), await createUser()];
    signInAs(admin);
    expect(await grantBonusCredits({ userId: user.id, credits: 250, reason: '   ' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: 'reason: is required' },
    });
  });

  it('grants once when the same confirmed grant is submitted twice', async () => {
    const [admin, user] = [await createUser({ role: 'admin' }), await createUser()];
    signInAs(admin);
    const grant = { userId: user.id, credits: 250, reason: 'Double click', idempotencyKey: randomUUID() };

    await grantBonusCredits(grant);
    await grantBonusCredits(grant);

    expect((await getCreditsBalance(user.id)).creditsBonus).toBe(250);
  });

  it('answers USER_NOT_FOUND for a user that does not exist', async () => {
    signInAs(await createUser({ role: 'admin' }));
    expect(await grantBonusCredits({ userId: 'no-such-user', credits: 250, reason: 'Ghost' })).toMatchObject({
      ok: false,
      error: { code: 'USER_NOT_FOUND' },
    });
  });
});
