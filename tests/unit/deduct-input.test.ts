import { describe, expect, it } from 'vitest';

import { deductCreditsSchema, parseCreditsInput, parseDeductInput } from '@/features/common/payments/service/credits-input.schema';

/** What a parse gave: its value, or the issues of its typed error. */
function outcome(parse: () => unknown) {
  try {
    return { value: parse() };
  } catch (error) {
    return {
      error: (error as Error).name,
      issues: (error as { issues?: unknown }).issues,
    };
  }
}

const VALUES: unknown[] = [
  undefined,
  null,
  true,
  0,
  -0,
  -1,
  1.5,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '10',
  '',
  '   ',
  '  padded  ',
  'x'.repeat(255),
  'x'.repeat(256),
  'x'.repeat(501),
  '\u0000',
  'a\uD800',
  'a\uDC00b',
  '\uD83D\uDE00',
  'system:sign-up-bonus',
  'generation',
  'Generation',
  'a'.repeat(65),
  [],
  ['a'],
  {},
  { a: { b: 1 } },
  { n: Number.NaN },
  { s: '\u0000' },
  { big: 'x'.repeat(20_000) },
  JSON.parse('{"__proto__":{"role":"admin"}}'),
  new Date(0),
  10n,
  () => 1,
  Symbol('x'),
  '00000000-0000-4000-8000-000000000000',
];

const BASE = { userId: 'user-1', credits: 1, reason: 'Render' };
const FULL = {
  ...BASE,
  idempotencyKey: 'render:1',
  requestFingerprint: 'sha256:abc',
  metadata: { model: 'x' },
  feature: 'generation',
};

describe('parseDeductInput', () => {
  it('gives exactly what the schema gives, value or refusal, for every value in every field', () => {
    const inputs: unknown[] = [BASE, FULL, ...VALUES];
    for (const base of [BASE, FULL]) {
      for (const field of ['userId', 'credits', 'reason', 'idempotencyKey', 'requestFingerprint', 'metadata', 'feature', 'organizationId', 'other']) {
        for (const value of VALUES) inputs.push({ ...base, [field]: value });
      }
    }
    for (const input of inputs) {
      expect(outcome(() => parseDeductInput(input))).toEqual(outcome(() => parseCreditsInput(deductCreditsSchema, input)));
    }
  });
});
