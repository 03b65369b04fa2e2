import { describe, expect, it } from 'vitest';

import { listOutboxEmails } from '@/shared/email/outbox';
import { sendEmail } from '@/shared/email/send-email';
import { MagicLinkEmail } from '@/shared/emails/magic-link';
import { setupTestDatabase } from '../helpers/test-database';

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
});
