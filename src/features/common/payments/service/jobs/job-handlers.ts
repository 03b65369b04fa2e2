import { eq } from 'drizzle-orm';

import { appConfig } from '@/config/app';
import { env } from '@/config/env';
import {
  onCreditsDisputed,
  onCreditsPurchaseNeedsReview,
  onCreditsRefunded,
  onCreditsTopUp,
  type CreditsDisputePayload,
  type CreditsPurchaseReviewPayload,
  type CreditsRefundPayload,
  type CreditsTopUpPayload,
} from '@/features/common/payments/service/payment-callback.service';
import { getDb } from '@/shared/db/client';
import { organizations, type Job } from '@/shared/db/schema';
import { sendEmail } from '@/shared/email/send-email';
import { CreditsTopUpEmail } from '@/shared/emails/credits-top-up';
import { formatCount } from '@/shared/lib/format-count';

/** Who gets a purchase's receipt: the buyer, and for an organisation also its billing address. */
async function receiptRecipients(payload: CreditsTopUpPayload): Promise<string[]> {
  const recipients = payload.email ? [payload.email.toLowerCase()] : [];
  if (payload.organizationId) {
    const db = await getDb();
    const [organization] = await db.select({ billingEmail: organizations.billingEmail }).from(organizations).where(eq(organizations.id, payload.organizationId));
    const billing = organization?.billingEmail?.toLowerCase();
    if (billing && !recipients.includes(billing)) recipients.push(billing);
  }
  return recipients;
}

/** Does one job's work. Throws to have it retried later. */
export async function performJob(job: Job): Promise<void> {
  switch (job.kind) {
    case 'top_up_callback':
      return onCreditsTopUp(job.payload as unknown as CreditsTopUpPayload);
    case 'top_up_receipt': {
      const payload = job.payload as unknown as CreditsTopUpPayload;
      for (const to of await receiptRecipients(payload)) {
        await sendEmail({
          to,
          subject: `Receipt: ${formatCount(payload.creditsAdded)} credits added`,
          react: CreditsTopUpEmail({
            appName: appConfig.name,
            name: to === payload.email?.toLowerCase() ? payload.name : null,
            creditsAdded: payload.creditsAdded,
            amountText: payload.amountText,
            creditsBalance: payload.creditsBalance,
            creditsUrl: new URL('/dashboard/billings/credits', env.APP_URL).toString(),
            purchaseId: payload.purchaseId,
          }),
        });
      }
      return;
    }
    case 'refund_callback':
      return onCreditsRefunded(job.payload as unknown as CreditsRefundPayload);
    case 'dispute_callback':
      return onCreditsDisputed(job.payload as unknown as CreditsDisputePayload);
    case 'review_callback':
      return onCreditsPurchaseNeedsReview(job.payload as unknown as CreditsPurchaseReviewPayload);
    default: {
      const unreachable: never = job.kind;
      throw new Error(`Unknown job ${String(unreachable)}`);
    }
  }
}
