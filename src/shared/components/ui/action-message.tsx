import { AlertCircleIcon } from 'lucide-react';

import { Alert, AlertDescription } from '@/shared/components/ui/alert';

/** The error an action just returned, as an alert announced when it appears; nothing while `message` is null. */
export function ErrorAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <Alert variant="destructive" role="alert">
      <AlertCircleIcon aria-hidden />
      <AlertDescription>{message}</AlertDescription>
    </Alert>
  );
}

/** One line under a form saying how its action went: an alert for an error, a quiet status otherwise. */
export function ActionMessage({ message }: { message: { kind: 'error' | 'status'; text: string } | null }) {
  if (!message) return null;
  return (
    <p role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind === 'error' ? 'text-sm text-destructive' : 'text-sm text-muted-foreground'}>
      {message.text}
    </p>
  );
}
