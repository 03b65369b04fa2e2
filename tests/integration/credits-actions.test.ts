import { randomUUID } from 'node:crypto';

import { beforeEach, describe, expect, it, vi } from 'vitest';

import { endUserCreditLot, grantBonusCredits } from '@/features/common/payments/actions/admin-credits.action';
import { getMyCredits } from '@/features/common/payments/actions/get-my-credits.action';
import { getSessionUser, type SessionUser } from '@/features/common/auth/session';
import { getCreditsBalance } from '@/features/common/payments/service/credits-balance.service';
import { addCreditsDirectly } from '@/features/common/payments/service/payment.service';
import { createUser, expectLedgerMatchesBalances, ledgerOf, lotsOf } from '../helpers/factories';
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

describe('grantBonusCredits with an expiry day', () => {
  it('grants credits spendable through the end of the chosen UTC day', async () => {
    const [admin, user] = [await createUser({ role: 'admin' }), await createUser()];
    signInAs(admin);
    const day = new Date(Date.now() + 10 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);

    expect(await grantBonusCredits({ userId: user.id, credits: 40, reason: 'Trial', expiresOn: day })).toMatchObject({ ok: true });
    const [lot] = await lotsOf(user.id);
    expect(lot).toMatchObject({ bucket: 'bonus', creditsLeft: 40 });
    expect(lot!.expiresAt!.toISOString()).toBe(new Date(Date.parse(`${day}T00:00:00Z`) + 24 * 60 * 60 * 1000).toISOString());
    await expectLedgerMatchesBalances();
  });

  it.each([
    ['a day that is over', '2020-01-01', 'INVALID_INPUT'],
    ['an impossible date', '2027-02-30', 'INVALID_INPUT'],
    ['a timestamp', '2027-01-01T00:00:00Z', 'INVALID_INPUT'],
    ['a number', 20270101, 'INVALID_INPUT'],
    ['NUL', '2027-01-01\u0000', 'INVALID_INPUT'],
    ['an array', ['2027-01-01'], 'INVALID_INPUT'],
  ])('refuses %s and writes nothing', async (_label, expiresOn, code) => {
    const [admin, user] = [await createUser({ role: 'admin' }), await createUser()];
    signInAs(admin);
    expect(await grantBonusCredits({ userId: user.id, credits: 40, reason: 'Trial', expiresOn: expiresOn as string })).toMatchObject({
      ok: false,
      error: { code },
    });
    expect(await ledgerOf(user.id)).toEqual([]);
  });
});

describe('endUserCreditLot', () => {
  it('ends what is left of a lot with the admin as actor and the reason, once', async () => {
    const [admin, user] = [await createUser({ role: 'admin' }), await createUser()];
    await addCreditsDirectly({ userId: user.id, credits: 70, creditsType: 'bonus', reason: 'Promo' });
    await addCreditsDirectly({ userId: user.id, credits: 30, creditsType: 'purchased', reason: 'Pack' });
    const bonusLot = (await lotsOf(user.id)).find((lot) => lot.bucket === 'bonus')!;
    signInAs(admin);

    expect(await endUserCreditLot({ userId: user.id, lotId: bonusLot.id, reason: 'Promo abused' })).toEqual({
      ok: true,
      data: { creditsEnded: 70, creditsBalance: 30 },
    });
    expect((await ledgerOf(user.id)).at(-1)).toMatchObject({
      type: 'expiration',
      bonusDelta: -70,
      actorType: 'admin',
      actorId: admin.id,
      reason: 'Promo abused',
    });
    expect(await endUserCreditLot({ userId: user.id, lotId: bonusLot.id, reason: 'Again' })).toEqual({
      ok: true,
      data: { creditsEnded: 0, creditsBalance: 30 },
    });
    expect(await getCreditsBalance(user.id)).toMatchObject({ creditsBalance: 30, creditsBonus: 0 });
    await expectLedgerMatchesBalances();
  });

  it('refuses a user who is not an admin, a visitor, and a lot of another user, writing nothing', async () => {
    const [admin, user, other] = [await createUser({ role: 'admin' }), await createUser(), await createUser()];
    await addCreditsDirectly({ userId: user.id, credits: 70, creditsType: 'bonus', reason: 'Promo' });
    const [lot] = await lotsOf(user.id);

    expect(await endUserCreditLot({ userId: user.id, lotId: lot!.id, reason: 'x' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    signInAs(user);
    expect(await endUserCreditLot({ userId: user.id, lotId: lot!.id, reason: 'x' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    signInAs(admin);
    expect(await endUserCreditLot({ userId: other.id, lotId: lot!.id, reason: 'x' })).toMatchObject({ ok: false, error: { code: 'LOT_NOT_FOUND' } });
    expect(await endUserCreditLot({ userId: user.id, lotId: 'not-a-uuid', reason: 'x' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await endUserCreditLot({ userId: user.id, lotId: lot!.id, reason: '   ' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((await ledgerOf(user.id)).map((e) => e.type)).toEqual(['grant']);
  });
});
