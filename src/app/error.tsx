'use client';

import { Button } from '@/shared/components/ui/button';

/**
 * A page that failed to render (most often because the database was briefly unavailable: the
 * server answers again within seconds of it coming back). Offers to try again rather than a blank page.
 */
export default function PageError({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto flex max-w-md flex-col items-start gap-4 px-6 py-16">
      <h1 className="text-xl font-semibold">This page could not load</h1>
      <p className="text-sm text-muted-foreground" role="alert">
        The service may be briefly unavailable: nothing you did was lost. Try again in a few seconds.
      </p>
      <Button onClick={() => reset()}>Try again</Button>
    </main>
  );
}
