import { describe, expect, it } from 'vitest';

import { InvalidReturnUrlError, resolveReturnUrl } from '@/features/common/payments/return-url';

const appOrigin = 'http://localhost:3000';

describe('resolveReturnUrl', () => {
  it('resolves a path against the app’s origin', () => {
    expect(resolveReturnUrl('/dashboard/billings/credits?billing=success', appOrigin)).toBe('http://localhost:3000/dashboard/billings/credits?billing=success');
  });

  it('accepts absolute URLs on the app’s origin', () => {
    expect(resolveReturnUrl('http://localhost:3000/dashboard?billing=cancel', appOrigin)).toBe('http://localhost:3000/dashboard?billing=cancel');
  });

  it.each(['https://evil.example/phish', '//evil.example/phish', 'https://localhost:3000/', 'javascript:alert(1)', 'http://[::1', 'http://localhost:3000.evil.example/'])(
    'refuses %s: no open redirects',
    (url) => {
      expect(() => resolveReturnUrl(url, appOrigin)).toThrow(InvalidReturnUrlError);
    },
  );

  it('tells the developer what to set when the app runs on another port', () => {
    expect(() => resolveReturnUrl('http://localhost:3001/dashboard?billing=success', appOrigin)).toThrow(
      'Return URLs must be on APP_URL\'s origin (http://localhost:3000); "http://localhost:3001/dashboard?billing=success" is not. If the app is served at http://localhost:3001, set APP_URL=http://localhost:3001 (in development you can leave APP_URL unset: it follows the port the server listens on).',
    );
  });
});
