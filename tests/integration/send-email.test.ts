import { createElement, type ReactElement } from 'react';
import { Img } from '@react-email/img';
import { render } from '@react-email/render';
import { describe, expect, it } from 'vitest';

import { listOutboxEmails } from '@/shared/email/outbox';
import { sendEmail } from '@/shared/email/send-email';
import { CreditsTopUpEmail } from '@/shared/emails/credits-top-up';
import { EmailLayout } from '@/shared/emails/email-layout';
import { MagicLinkEmail } from '@/shared/emails/magic-link';
import { setupTestDatabase } from '../helpers/test-database';

/** react-email's `render`, less the comments React's streaming renderer adds (boundaries, and between adjacent texts). */
const renderedWithoutMarkers = async (element: ReactElement) => (await render(element)).replace(/<!--\/?\$-->|<!--(html|head|body)-->|<!-- -->/g, '');

describe('sendEmail without an email provider', () => {
  setupTestDatabase();

  it('keeps the rendered HTML and text in the outbox for the recipient', async () => {
    const url = 'http://localhost:3000/api/auth/callback/email?token=abc';
    await sendEmail({ to: 'ada@example.com', subject: 'Sign in', react: MagicLinkEmail({ url, appName: 'Acme', expiresInHours: 24 }) });

    const [email] = await listOutboxEmails({ to: 'ada@example.com' });
    expect(email).toMatchObject({ to: 'ada@example.com', subject: 'Sign in', from: 'Credits <no-reply@example.com>' });
    expect(email!.html).toContain(`href="${url.replaceAll('&', '&amp;')}"`);
    expect(email!.text).toContain(url);
    expect(email!.text).toContain('expires in 24 hours');
  });

  it("renders what react-email's render makes, without the streaming renderer's markers, and the same text", async () => {
    const receipt = CreditsTopUpEmail({
      appName: 'Acme <Credits>',
      name: 'Ada & "Co"',
      creditsAdded: 1000,
      amountText: '$10.00',
      creditsBalance: 1234,
      creditsUrl: 'http://localhost:3000/dashboard/billings/credits?from=receipt&x=1',
      purchaseId: 'p-1',
      discountText: '−$1.00',
      taxText: '$0.90',
      invoiceUrl: 'https://invoice.example/i?a=1&b=2',
      automatic: true,
    });
    await sendEmail({ to: 'receipt@example.com', subject: 'Receipt', react: receipt });
    const [email] = await listOutboxEmails({ to: 'receipt@example.com' });

    expect(email!.html).toBe(await renderedWithoutMarkers(receipt));
    expect(email!.html.startsWith('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"')).toBe(true);
    expect(email!.html).toContain('Ada &amp; &quot;Co&quot;');
    expect(email!.text).toBe(await render(receipt, { plainText: true }));
  });

  it('leaves out the hints to preload images that React adds for each <img>, as react-email does', async () => {
    const withImage = EmailLayout({
      preview: 'A picture',
      appName: 'Acme',
      children: createElement(Img, { src: 'https://cdn.example/logo.png', alt: 'Logo', width: 40, height: 40 }),
    });
    await sendEmail({ to: 'image@example.com', subject: 'Image', react: withImage });
    const [email] = await listOutboxEmails({ to: 'image@example.com' });
    expect(email!.html).toContain('src="https://cdn.example/logo.png"');
    expect(email!.html).not.toMatch(/rel="preload"/);
    expect(email!.html).toBe(await renderedWithoutMarkers(withImage));
  });

  it('fails, sending nothing, for a component that suspends', async () => {
    const Suspends = () => {
      throw new Promise(() => {});
    };
    await expect(sendEmail({ to: 'suspends@example.com', subject: 'Never', react: createElement(Suspends) })).rejects.toThrow();
    expect(await listOutboxEmails({ to: 'suspends@example.com' })).toEqual([]);
  });
});
