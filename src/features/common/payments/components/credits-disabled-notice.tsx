import { Alert, AlertDescription, AlertTitle } from '@/shared/components/ui/alert';
import { InfoIcon } from 'lucide-react';

/** What credit pages show while `billing.credits.enabled` is false, instead of failing. */
export function CreditsDisabledNotice() {
  return (
    <Alert role="status" className="max-w-2xl">
      <InfoIcon aria-hidden />
      <AlertTitle>Credits are disabled</AlertTitle>
      <AlertDescription>
        <p>This app does not use credits at the moment, so there is no balance or history to show.</p>
        <p className="mt-1 text-xs text-muted-foreground">
          To turn them on, set <code>billing.credits.enabled</code> to <code>true</code> in <code>src/config/app.ts</code>.
        </p>
      </AlertDescription>
    </Alert>
  );
}
