import { Button } from '@react-email/button';
import { Heading } from '@react-email/heading';
import { Text } from '@react-email/text';

import { EmailLayout, emailStyles } from '@/shared/emails/email-layout';
import { formatCount } from '@/shared/lib/format-count';

export interface CreditsLowEmailProps {
  appName: string;
  name: string | null;
  /** Available credits now. */
  credits: number;
  /** The threshold the balance fell below. */
  threshold: number;
  /** The organisation whose wallet ran low, or null for the reader's own. */
  organizationName: string | null;
  creditsUrl: string;
}

/** Sent once each time the balance falls below the wallet's low-balance threshold. */
export function CreditsLowEmail({ appName, name, credits, threshold, organizationName, creditsUrl }: CreditsLowEmailProps) {
  const whose = organizationName ? `${organizationName}'s` : 'your';
  return (
    <EmailLayout preview={`Only ${formatCount(credits)} credits left`} appName={appName}>
      <Heading style={emailStyles.heading}>Only {formatCount(credits)} credits left</Heading>
      <Text style={emailStyles.paragraph}>
        Hi{name ? ` ${name}` : ''}, {whose} {appName} balance has fallen below {formatCount(threshold)} credits. Top up now so that work does not stop when it
        runs out.
      </Text>
      <Button href={creditsUrl} style={emailStyles.button}>
        Top up credits
      </Button>
      <Text style={emailStyles.muted}>
        You get this once each time the balance falls below {formatCount(threshold)} credits. Change the amount or turn the alert off on the credits page.
      </Text>
    </EmailLayout>
  );
}

CreditsLowEmail.PreviewProps = {
  appName: 'Acme Credits',
  name: 'Ada',
  credits: 80,
  threshold: 100,
  organizationName: null,
  creditsUrl: 'http://localhost:3000/dashboard/billings/credits',
} satisfies CreditsLowEmailProps;

export default CreditsLowEmail;
