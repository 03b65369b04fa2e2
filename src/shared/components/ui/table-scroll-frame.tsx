'use client';

import { useEffect, useRef, useState, type ReactNode } from 'react';

import { cn } from '@/shared/lib/cn';

/**
 * The frame a table scrolls sideways in when it is wider than the page. While it scrolls it is a named
 * tab stop, so a keyboard can scroll it too (WCAG 2.1.1); while everything fits it is no stop at all.
 */
export function TableScrollFrame({ className, children }: { className?: string; children: ReactNode }) {
  const frame = useRef<HTMLDivElement>(null);
  const [label, setLabel] = useState<string | null>(null);

  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const table = element.querySelector('table');
    // Called by the observer once on start, then on every change of either size.
    const observer = new ResizeObserver(() => {
      if (element.scrollWidth <= element.clientWidth) return setLabel(null);
      const name = table?.getAttribute('aria-label') ?? table?.querySelector('caption')?.textContent ?? 'Table';
      setLabel(`${name} (scrolls sideways)`);
    });
    observer.observe(element);
    if (table) observer.observe(table);
    return () => observer.disconnect();
  }, []);

  return (
    <div
      ref={frame}
      className={cn('rounded-md outline-none focus-visible:ring-2 focus-visible:ring-ring', className)}
      {...(label ? { role: 'region', 'aria-label': label, tabIndex: 0 } : {})}
    >
      {children}
    </div>
  );
}
