'use client';

import type { CSSProperties } from 'react';
import { Toaster as Sonner } from 'sonner';

export { toast } from 'sonner';

/** Where toasts appear; mounted once in the root layout. Follows the system's light or dark theme. */
export function Toaster() {
  return (
    <Sonner
      theme="system"
      position="bottom-right"
      closeButton
      // Sonner reads its colours from these variables; pointing them at ours keeps toasts on-theme.
      style={
        {
          '--normal-bg': 'var(--card)',
          '--normal-text': 'var(--card-foreground)',
          '--normal-border': 'var(--border)',
          '--border-radius': '0.625rem',
        } as CSSProperties
      }
    />
  );
}
