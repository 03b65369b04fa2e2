import type { ReactNode } from 'react';
import { Body } from '@react-email/body';
import { Container } from '@react-email/container';
import { Head } from '@react-email/head';
import { Hr } from '@react-email/hr';
import { Html } from '@react-email/html';
import { Preview } from '@react-email/preview';
import { Section } from '@react-email/section';
import { Text } from '@react-email/text';

/** The frame every email shares: preview line, a centred card, and a footer naming the product. */
export function EmailLayout({ preview, appName, children }: { preview: string; appName: string; children: ReactNode }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ backgroundColor: '#f4f4f5', fontFamily: 'ui-sans-serif, system-ui, -apple-system, Segoe UI, sans-serif', margin: 0, padding: '32px 0' }}>
        <Container style={{ backgroundColor: '#ffffff', borderRadius: 12, maxWidth: 480, padding: '32px 40px' }}>
          <Text style={{ fontSize: 14, fontWeight: 600, color: '#18181b', margin: '0 0 24px' }}>{appName}</Text>
          <Section>{children}</Section>
          <Hr style={{ borderColor: '#e4e4e7', margin: '32px 0 16px' }} />
          <Text style={{ fontSize: 12, color: '#71717a', margin: 0 }}>You received this email because of an action on your {appName} account.</Text>
        </Container>
      </Body>
    </Html>
  );
}

export const emailStyles = {
  heading: { fontSize: 22, fontWeight: 600, color: '#18181b', margin: '0 0 12px' },
  paragraph: { fontSize: 15, lineHeight: '24px', color: '#3f3f46', margin: '0 0 16px' },
  button: {
    backgroundColor: '#18181b',
    borderRadius: 8,
    color: '#ffffff',
    display: 'inline-block',
    fontSize: 15,
    fontWeight: 600,
    padding: '12px 20px',
    textDecoration: 'none',
  },
  muted: { fontSize: 13, lineHeight: '20px', color: '#71717a', margin: '16px 0 0' },
} as const;
