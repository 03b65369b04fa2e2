import type { ComponentProps } from 'react';

import { TableScrollFrame } from '@/shared/components/ui/table-scroll-frame';
import { cn } from '@/shared/lib/cn';

/**
 * A data table; it scrolls sideways inside its own frame on narrow screens instead of the page.
 * `stacked` turns its rows into cards on phones instead (see `.table-stacked` in globals.css): give
 * each cell a `data-label` with its column's name.
 */
export function Table({ className, stacked = false, ...props }: ComponentProps<'table'> & { stacked?: boolean }) {
  return (
    <TableScrollFrame className="relative w-full overflow-x-auto">
      <table className={cn('w-full caption-bottom text-sm', stacked && 'table-stacked', className)} {...props} />
    </TableScrollFrame>
  );
}

export function TableHeader({ className, ...props }: ComponentProps<'thead'>) {
  return <thead className={cn('[&_tr]:border-b [&_tr]:border-border', className)} {...props} />;
}

export function TableBody({ className, ...props }: ComponentProps<'tbody'>) {
  return <tbody className={cn('[&_tr:last-child]:border-0', className)} {...props} />;
}

export function TableRow({ className, ...props }: ComponentProps<'tr'>) {
  return <tr className={cn('border-b border-border transition-colors hover:bg-muted/50', className)} {...props} />;
}

export function TableHead({ className, ...props }: ComponentProps<'th'>) {
  return (
    <th
      className={cn(
        'h-10 px-4 text-left align-middle text-xs font-medium tracking-wide whitespace-nowrap text-muted-foreground uppercase',
        className,
      )}
      {...props}
    />
  );
}

export function TableCell({ className, ...props }: ComponentProps<'td'>) {
  return <td className={cn('px-4 py-3 align-middle', className)} {...props} />;
}

export function TableCaption({ className, ...props }: ComponentProps<'caption'>) {
  return <caption className={cn('mt-4 text-sm text-muted-foreground', className)} {...props} />;
}
