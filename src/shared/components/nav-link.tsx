'use client';

import type { ReactNode } from 'react';
import type { Route } from 'next';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

import { buttonVariants } from '@/shared/components/ui/button';
import { cn } from '@/shared/lib/cn';

/**
 * A navigation link that marks itself current (`aria-current="page"`) on its own page, and on the
 * pages under it unless `exact`.
 */
export function NavLink({ href, exact = false, className, children }: { href: Route; exact?: boolean; className?: string; children: ReactNode }) {
  const pathname = usePathname();
  const current = pathname === href || (!exact && pathname.startsWith(`${href}/`));
  return (
    <Link
      href={href}
      aria-current={current ? 'page' : undefined}
      className={cn(
        buttonVariants({ variant: 'ghost', size: 'sm' }),
        'text-muted-foreground hover:text-foreground aria-[current=page]:bg-muted aria-[current=page]:text-foreground',
        className,
      )}
    >
      {children}
    </Link>
  );
}
