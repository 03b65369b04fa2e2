import { Button } from '@react-email/button';
import { Heading } from '@react-email/heading';
import { Text } from '@react-email/text';

import { EmailLayout, emailStyles } from '@/shared/emails/email-layout';

export type AutoTopUpNoticeKind = 'declined' | 'requires_action' | 'monthly_limit' | 'price_changed' | 'card_removed';

export interface AutoTopUpNoticeEmailProps {
  appName: string;
  name: string | null;
  notice: AutoTopUpNoticeKind;
  /** Auto top-up is paused until the reader acts. */
  paused: boolean;
  /** The automatic charge's amount and pack, formatted ("$10.00", "Starter Pack"). */
  amountText: string | null;
  itemName: string | null;
  /** The bank's or Stripe's words about a failed charge. */
  message: string | null;
  /** The organisation whose auto top-up this is, or null for the reader's own. */
  organizationName: string | null;
  /** The credits page's auto top-up section. */
  settingsUrl: string;
}

const subjects: Record<AutoTopUpNoticeKind, string> = {
  declined: 'Your automatic top-up was declined',
  requires_action: 'Your bank wants to confirm your automatic top-up',
  monthly_limit: 'Auto top-up reached its monthly limit',
  price_changed: 'Auto top-up is paused: the price changed',
  card_removed: 'Auto top-up is paused: no card saved',
};

/** The subject line of an auto top-up notice. */
export function autoTopUpNoticeSubject(notice: AutoTopUpNoticeKind): string {
  return subjects[notice];
}

/** Sent when auto top-up could not buy credits: a failed charge, the monthly limit, a price change, a removed card. */
export function AutoTopUpNoticeEmail({
  appName,
  name,
  notice,
  paused,
  amountText,
  itemName,
  message,
  organizationName,
  settingsUrl,
}: AutoTopUpNoticeEmailProps) {
  const whose = organizationName ? `${organizationName}'s` : 'your';
  const what = itemName && amountText ? `${itemName} for ${amountText}` : 'credits';
  const body: Record<AutoTopUpNoticeKind, string> = {
    declined: `We tried to buy ${what} for ${whose} ${appName} balance with the saved card, and it was declined${message ? `: “${message}”` : '.'} Nothing was charged.`,
    requires_action: `We tried to buy ${what} for ${whose} ${appName} balance with the saved card, and the bank asked the cardholder to confirm the payment, which cannot be done while you are away. Nothing was charged.`,
    monthly_limit: `${whose[0]!.toUpperCase()}${whose.slice(1)} ${appName} balance fell below the auto top-up limit again, but auto top-up has already bought as many times this month as you allowed, so it did not buy ${what}.`,
    price_changed: `The price of the pack auto top-up buys has changed since you turned it on, so we did not charge ${whose} card. Confirm the new amount to turn it back on.`,
    card_removed: `The card auto top-up charged for ${whose} ${appName} balance was removed, so auto top-up has stopped.`,
  };
  const next = paused
    ? 'Auto top-up is paused. Update the card (or confirm the settings) on the credits page to turn it back on, or top up by hand.'
    : notice === 'monthly_limit'
      ? 'Top up by hand, or raise the monthly limit on the credits page.'
      : 'We will try again the next time the balance falls below the limit. Update the card on the credits page, or top up by hand.';
  return (
    <EmailLayout preview={subjects[notice]} appName={appName}>
      <Heading style={emailStyles.heading}>{subjects[notice]}</Heading>
      <Text style={emailStyles.paragraph}>
        Hi{name ? ` ${name}` : ''}, {body[notice]}
      </Text>
      <Text style={emailStyles.paragraph}>{next}</Text>
      <Button href={settingsUrl} style={emailStyles.button}>
        {notice === 'monthly_limit' ? 'Top up credits' : 'Update card or settings'}
      </Button>
    </EmailLayout>
  );
}

AutoTopUpNoticeEmail.PreviewProps = {
  appName: 'Acme Credits',
  name: 'Ada',
  notice: 'declined',
  paused: false,
  amountText: '$10.00',
  itemName: 'Starter Pack',
  message: 'Your card was declined.',
  organizationName: null,
  settingsUrl: 'http://localhost:3000/dashboard/billings/credits#auto-top-up',
} satisfies AutoTopUpNoticeEmailProps;

export default AutoTopUpNoticeEmail;
