import { describe, expect, it } from 'vitest';

import { InvalidReturnUrlError, resolveReturnUrl } from '@/features/common/payments/return-url';

const origins = ['http://localhost:3000', 'https://app.example.com'];

describe('resolveReturnUrl', () => {
  it('resolves a path against the origin the browser is on', () => {
    expect(resolveReturnUrl('/dashboard/billings/credits?billing=success', origins)).toBe('http://localhost:3000/dashboard/billings/credits?billing=success');
  });

  it('accepts absolute URLs on this site’s origins', () => {
    expect(resolveReturnUrl('https://app.example.com/dashboard?billing=cancel', origins)).toBe('https://app.example.com/dashboard?billing=cancel');
  });

  it.each(['https://evil.example/phish', '//evil.example/phish', 'http://localhost:3001/', 'javascript:alert(1)'])('refuses %s: no open redirects', (url) => {
    expect(() => resolveReturnUrl(url, origins)).toThrow(InvalidReturnUrlError);
  });
});
