import { Button } from '@react-email/button';
import { Heading } from '@react-email/heading';
import { Text } from '@react-email/text';

import { EmailLayout, emailStyles } from '@/shared/emails/email-layout';

export interface MagicLinkEmailProps {
  url: string;
  appName: string;
  /** How long the link stays valid, for the reader. */
  expiresInHours: number;
}

export function MagicLinkEmail({ url, appName, expiresInHours }: MagicLinkEmailProps) {
  return (
    <EmailLayout preview={`Your sign-in link for ${appName}`} appName={appName}>
      <Heading style={emailStyles.heading}>Sign in to {appName}</Heading>
      <Text style={emailStyles.paragraph}>Click the button below to sign in. The link works once and expires in {expiresInHours} hours.</Text>
      <Button href={url} style={emailStyles.button}>
        Sign in
      </Button>
      <Text style={emailStyles.muted}>If you did not ask for this email, you can ignore it: nobody can sign in without the link.</Text>
    </EmailLayout>
  );
}

MagicLinkEmail.PreviewProps = {
  url: 'http://localhost:3000/api/auth/callback/email?token=preview&email=ada%40example.com',
  appName: 'Acme Credits',
  expiresInHours: 24,
} satisfies MagicLinkEmailProps;

export default MagicLinkEmail;
