import { describe, expect, it } from 'vitest';

import { pipelined } from '@/shared/db/client';

const later = <T>(ms: number, value: T, fail = false) => new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(value) : resolve(value)), ms));

describe('pipelined statements', () => {
  it('return their results in the order they were sent', async () => {
    expect(await pipelined([later(20, 'first'), later(1, 2), []])).toEqual(['first', 2, []]);
  });

  it('throw the first failure in order, also when a later one failed sooner', async () => {
    await expect(pipelined([later(20, new Error('the statement'), true), later(1, new Error('transaction aborted'), true)])).rejects.toThrow('the statement');
  });
});
