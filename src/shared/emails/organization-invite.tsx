import { Button } from '@react-email/button';
import { Heading } from '@react-email/heading';
import { Text } from '@react-email/text';

import { EmailLayout, emailStyles } from '@/shared/emails/email-layout';

export interface OrganizationInviteEmailProps {
  appName: string;
  organizationName: string;
  /** Who invited, as the recipient would recognise them (an email address). */
  invitedBy: string | null;
  role: 'owner' | 'admin' | 'member';
  url: string;
  expiresInDays: number;
}

const roleText = { owner: 'an owner', admin: 'an admin', member: 'a member' } as const;

export function OrganizationInviteEmail({ appName, organizationName, invitedBy, role, url, expiresInDays }: OrganizationInviteEmailProps) {
  return (
    <EmailLayout preview={`Join ${organizationName} on ${appName}`} appName={appName}>
      <Heading style={emailStyles.heading}>Join {organizationName}</Heading>
      <Text style={emailStyles.paragraph}>
        {invitedBy ? `${invitedBy} invited you` : 'You are invited'} to join {organizationName} on {appName} as {roleText[role]}. Members spend credits from the
        organization&apos;s shared balance.
      </Text>
      <Button href={url} style={emailStyles.button}>
        Accept the invitation
      </Button>
      <Text style={emailStyles.muted}>
        The link works for this email address only and expires in {expiresInDays} days. If you did not expect it, you can ignore this email.
      </Text>
    </EmailLayout>
  );
}

OrganizationInviteEmail.PreviewProps = {
  appName: 'Acme Credits',
  organizationName: 'Globex Research',
  invitedBy: 'ada@example.com',
  role: 'member',
  url: 'http://localhost:3000/invites/preview-token',
  expiresInDays: 7,
} satisfies OrganizationInviteEmailProps;

export default OrganizationInviteEmail;
