import { Button } from '@react-email/button';
import { Heading } from '@react-email/heading';
import { Text } from '@react-email/text';

import { EmailLayout, emailStyles } from '@/shared/emails/email-layout';
import { formatCount } from '@/shared/lib/format-count';

export interface CreditsExpiringEmailProps {
  appName: string;
  name: string | null;
  /** Credits still left in the lot that expires. */
  credits: number;
  bucket: 'bonus' | 'purchased';
  /** When they expire, already formatted for the reader: "12 Jan 2027". */
  expiresOn: string;
  /** The organisation whose wallet holds them, or null for the reader's own. */
  organizationName: string | null;
  creditsUrl: string;
}

/** Sent once per lot, some days before it expires, while enough of it is left. */
export function CreditsExpiringEmail({ appName, name, credits, bucket, expiresOn, organizationName, creditsUrl }: CreditsExpiringEmailProps) {
  const whose = organizationName ? `${organizationName}'s` : 'your';
  return (
    <EmailLayout preview={`${formatCount(credits)} credits expire on ${expiresOn}`} appName={appName}>
      <Heading style={emailStyles.heading}>
        {formatCount(credits)} credits expire on {expiresOn}
      </Heading>
      <Text style={emailStyles.paragraph}>
        Hi{name ? ` ${name}` : ''}, {formatCount(credits)} {bucket} credits in {whose} {appName} balance expire on {expiresOn}. Credits that expire soonest are
        always spent first, so using them before then is all it takes.
      </Text>
      <Button href={creditsUrl} style={emailStyles.button}>
        See your credits
      </Button>
      <Text style={emailStyles.muted}>You get this reminder once for each batch of credits that is about to expire.</Text>
    </EmailLayout>
  );
}

CreditsExpiringEmail.PreviewProps = {
  appName: 'Acme Credits',
  name: 'Ada',
  credits: 1000,
  bucket: 'bonus',
  expiresOn: '12 Jan 2027',
  organizationName: null,
  creditsUrl: 'http://localhost:3000/dashboard/billings/credits',
} satisfies CreditsExpiringEmailProps;

export default CreditsExpiringEmail;
