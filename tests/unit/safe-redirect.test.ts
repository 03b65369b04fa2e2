import { describe, expect, it } from 'vitest';

import { safeRedirectPath } from '@/shared/lib/safe-redirect';

describe('safeRedirectPath', () => {
  it('keeps paths on this site', () => {
    expect(safeRedirectPath('/dashboard/billings/credits?billing=success', '/')).toBe('/dashboard/billings/credits?billing=success');
  });

  it('falls back for other hosts, protocol-relative and backslash tricks', () => {
    for (const target of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '', undefined, 42]) {
      expect(safeRedirectPath(target, '/dashboard')).toBe('/dashboard');
    }
  });
});
