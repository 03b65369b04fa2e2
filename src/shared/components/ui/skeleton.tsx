import type { ComponentProps } from 'react';

import { cn } from '@/shared/lib/cn';

/** A placeholder while content loads; hidden from screen readers, which hear the loading state instead. */
export function Skeleton({ className, ...props }: ComponentProps<'span'>) {
  return <span aria-hidden className={cn('inline-block animate-pulse rounded-md bg-muted', className)} {...props} />;
}
