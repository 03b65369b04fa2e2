import { Button } from '@react-email/button';
import { Column } from '@react-email/column';
import { Heading } from '@react-email/heading';
import { Row } from '@react-email/row';
import { Section } from '@react-email/section';
import { Text } from '@react-email/text';

import { EmailLayout, emailStyles } from '@/shared/emails/email-layout';
import { formatCount } from '@/shared/lib/format-count';

export interface CreditsTopUpEmailProps {
  appName: string;
  name: string | null;
  creditsAdded: number;
  /** The amount paid, already formatted: "$10.00". */
  amountText: string;
  creditsBalance: number;
  creditsUrl: string;
  purchaseId: string;
  /** The discount taken off, formatted ("−$1.00"), when a promotion code was used. */
  discountText?: string | null;
  /** The tax charged, formatted, when Stripe Tax added or included tax. */
  taxText?: string | null;
  /** The Stripe invoice's page, when invoices are on. */
  invoiceUrl?: string | null;
  /** Bought by auto top-up with the saved card, not at checkout. */
  automatic?: boolean;
}

function Line({ label, value }: { label: string; value: string }) {
  return (
    <Row style={{ borderBottom: '1px solid #e4e4e7' }}>
      <Column style={{ padding: '10px 0', fontSize: 14, color: '#71717a' }}>{label}</Column>
      <Column style={{ padding: '10px 0', fontSize: 14, color: '#18181b', fontWeight: 600, textAlign: 'right' }}>{value}</Column>
    </Row>
  );
}

/** The receipt sent once per fulfilled credit purchase. */
export function CreditsTopUpEmail({
  appName,
  name,
  creditsAdded,
  amountText,
  creditsBalance,
  creditsUrl,
  purchaseId,
  discountText,
  taxText,
  invoiceUrl,
  automatic,
}: CreditsTopUpEmailProps) {
  return (
    <EmailLayout preview={`${formatCount(creditsAdded)} credits were added to your ${appName} account`} appName={appName}>
      <Heading style={emailStyles.heading}>Thanks for your purchase{name ? `, ${name}` : ''}</Heading>
      <Text style={emailStyles.paragraph}>
        {automatic
          ? 'Your balance fell below your auto top-up limit, so we charged your saved card as you asked. Your credits are ready to use.'
          : 'Your credits are ready to use.'}
      </Text>
      <Section style={{ margin: '8px 0 24px' }}>
        <Line label="Credits added" value={formatCount(creditsAdded)} />
        {discountText ? <Line label="Discount" value={discountText} /> : null}
        {taxText ? <Line label="Tax" value={taxText} /> : null}
        <Line label="Amount paid" value={amountText} />
        <Line label="New balance" value={`${formatCount(creditsBalance)} credits`} />
      </Section>
      <Button href={creditsUrl} style={emailStyles.button}>
        View your credits
      </Button>
      {invoiceUrl ? (
        <Text style={emailStyles.paragraph}>
          Your invoice: <a href={invoiceUrl}>view or download it</a>
        </Text>
      ) : null}
      {automatic ? <Text style={emailStyles.muted}>Change or turn off auto top-up on your credits page.</Text> : null}
      <Text style={emailStyles.muted}>Purchase reference: {purchaseId}</Text>
    </EmailLayout>
  );
}

CreditsTopUpEmail.PreviewProps = {
  appName: 'Acme Credits',
  name: 'Ada',
  creditsAdded: 1000,
  amountText: '$10.00',
  creditsBalance: 1100,
  creditsUrl: 'http://localhost:3000/dashboard/billings/credits',
  purchaseId: '6f1c2a9e-3b7d-4d0e-9a51-2f8c7e1d4b3a',
} satisfies CreditsTopUpEmailProps;

export default CreditsTopUpEmail;
