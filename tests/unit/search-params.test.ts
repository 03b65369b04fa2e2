import { describe, expect, it } from 'vitest';

import { parseCursor, singleParam } from '@/shared/lib/search-params';

describe('parseCursor', () => {
  it('reads a positive whole number', () => {
    expect(parseCursor('42')).toBe(42);
  });

  it.each([undefined, '', '0', '-3', '1.5', '1e3', '007', 'abc', ['1', '2'], '9007199254740993'])('ignores %j', (value) => {
    expect(parseCursor(value)).toBeUndefined();
  });
});

describe('singleParam', () => {
  it('trims a single value', () => {
    expect(singleParam('  ada@example.com ')).toBe('ada@example.com');
  });

  it.each([undefined, '', '   ', ['a', 'b']])('ignores %j', (value) => {
    expect(singleParam(value)).toBeUndefined();
  });
});
