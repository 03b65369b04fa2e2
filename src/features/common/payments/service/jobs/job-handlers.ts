import { and, eq } from 'drizzle-orm';

import { appConfig } from '@/config/app';
import {
  onCreditsDisputed,
  onCreditsExpiring,
  type CreditsExpiringPayload,
  onCreditsPurchaseNeedsReview,
  onCreditsRefunded,
  onCreditsTopUp,
  onCreditsLow,
  type CreditsLowPayload,
  type CreditsDisputePayload,
  type CreditsPurchaseReviewPayload,
  type CreditsRefundPayload,
  type CreditsTopUpPayload,
} from '@/features/common/payments/service/payment-callback.service';
import { runAutoTopUp, type AutoTopUpNoticePayload } from '@/features/common/payments/service/auto-top-up/charge';
import { creditsPageUrl } from '@/features/common/payments/service/credits-page-url';
import { getDb } from '@/shared/db/client';
import { AutoTopUpNoticeEmail, autoTopUpNoticeSubject } from '@/shared/emails/auto-top-up-notice';
import { creditBalances, creditLots, organizationMembers, organizations, users, wallets, type Job } from '@/shared/db/schema';
import { CreditsExpiringEmail } from '@/shared/emails/credits-expiring';
import { sendEmail } from '@/shared/email/send-email';
import { CreditsTopUpEmail } from '@/shared/emails/credits-top-up';
import { CreditsLowEmail } from '@/shared/emails/credits-low';
import { formatCount } from '@/shared/lib/format-count';
import { formatMoney } from '@/shared/lib/money';

/** Who gets a purchase's receipt: the buyer, and for an organisation also its billing address. */
async function receiptRecipients(payload: CreditsTopUpPayload): Promise<string[]> {
  const recipients = payload.email ? [payload.email.toLowerCase()] : [];
  if (payload.organizationId) {
    const db = await getDb();
    const [organization] = await db
      .select({ billingEmail: organizations.billingEmail })
      .from(organizations)
      .where(eq(organizations.id, payload.organizationId));
    const billing = organization?.billingEmail?.toLowerCase();
    if (billing && !recipients.includes(billing)) recipients.push(billing);
  }
  return recipients;
}

const expiryDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/**
 * A lot is about to expire: email its owner (a user; for an organisation its billing address, else
 * its owners) or call `onCreditsExpiring`. Nothing is sent when the lot has been spent or ended since
 * the reminder was queued; the amount is what is left now.
 */
async function remindOfExpiry(job: Job): Promise<void> {
  const queued = job.payload as { lotId: string; walletId: string };
  const db = await getDb();
  const [lot] = await db
    .select({
      bucket: creditLots.bucket,
      creditsLeft: creditLots.creditsLeft,
      expiresAt: creditLots.expiresAt,
      userId: wallets.userId,
      organizationId: wallets.organizationId,
    })
    .from(creditLots)
    .innerJoin(wallets, eq(wallets.id, creditLots.walletId))
    .where(eq(creditLots.id, queued.lotId));
  if (!lot?.expiresAt || lot.creditsLeft <= 0 || lot.expiresAt.getTime() <= Date.now()) return;

  if (job.kind === 'expiring_callback') {
    const payload: CreditsExpiringPayload = {
      userId: lot.userId,
      organizationId: lot.organizationId,
      lotId: queued.lotId,
      bucket: lot.bucket,
      credits: lot.creditsLeft,
      expiresAt: lot.expiresAt.toISOString(),
    };
    return onCreditsExpiring(payload);
  }

  const { recipients, organizationName } = await walletRecipients(lot);
  for (const recipient of recipients) {
    await sendEmail({
      to: recipient.email,
      subject: `${formatCount(lot.creditsLeft)} credits expire on ${expiryDate.format(lot.expiresAt)}`,
      react: CreditsExpiringEmail({
        appName: appConfig.name,
        name: recipient.name,
        credits: lot.creditsLeft,
        bucket: lot.bucket,
        expiresOn: expiryDate.format(lot.expiresAt),
        organizationName,
        creditsUrl: creditsPageUrl(),
      }),
    });
  }
}

/**
 * Who hears about a wallet: its user; for an organisation its billing address, else its owners.
 */
async function walletRecipients(owner: { userId: string | null; organizationId: string | null }) {
  const db = await getDb();
  let recipients: { email: string; name: string | null }[] = [];
  let organizationName: string | null = null;
  if (owner.organizationId) {
    const [organization] = await db.select().from(organizations).where(eq(organizations.id, owner.organizationId));
    organizationName = organization?.name ?? null;
    recipients = organization?.billingEmail
      ? [{ email: organization.billingEmail, name: null }]
      : (
          await db
            .select({ email: users.email, name: users.name })
            .from(organizationMembers)
            .innerJoin(users, eq(users.id, organizationMembers.userId))
            .where(and(eq(organizationMembers.organizationId, owner.organizationId), eq(organizationMembers.role, 'owner')))
        ).flatMap((member) => (member.email ? [{ email: member.email, name: member.name }] : []));
  } else if (owner.userId) {
    const [user] = await db.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, owner.userId));
    if (user?.email) recipients = [{ email: user.email, name: user.name }];
  }
  return { recipients, organizationName };
}

/**
 * A wallet's available credits fell below its threshold (queued by the ledger's trigger, once per
 * crossing): call `onCreditsLow`, or email the wallet's people. The email is skipped when the balance
 * has already risen back to the threshold (a top-up came first): the alert would be stale.
 */
async function alertLowBalance(job: Job): Promise<void> {
  const queued = job.payload as { walletId: string; threshold: number; availableAfter: number; crossedAt: string };
  const db = await getDb();
  const [wallet] = await db
    .select({ userId: wallets.userId, organizationId: wallets.organizationId, purchased: creditBalances.purchased, bonus: creditBalances.bonus })
    .from(wallets)
    .innerJoin(creditBalances, eq(creditBalances.walletId, wallets.id))
    .where(eq(wallets.id, queued.walletId));
  if (!wallet) return;
  if (job.kind === 'low_balance_callback') {
    const payload: CreditsLowPayload = {
      userId: wallet.userId,
      organizationId: wallet.organizationId,
      walletId: queued.walletId,
      threshold: Number(queued.threshold),
      creditsAvailable: Number(queued.availableAfter),
      crossedAt: queued.crossedAt,
    };
    return onCreditsLow(payload);
  }
  const available = wallet.purchased + wallet.bonus;
  if (available >= Number(queued.threshold)) return;
  const { recipients, organizationName } = await walletRecipients(wallet);
  for (const recipient of recipients) {
    await sendEmail({
      to: recipient.email,
      subject: `Only ${formatCount(available)} credits left`,
      react: CreditsLowEmail({
        appName: appConfig.name,
        name: recipient.name,
        credits: available,
        threshold: Number(queued.threshold),
        organizationName,
        creditsUrl: creditsPageUrl(),
      }),
    });
  }
}

/** Tells a wallet's people why auto top-up did not buy credits (a failed charge, the monthly limit …). */
async function sendAutoTopUpNotice(job: Job): Promise<void> {
  const notice = job.payload as unknown as AutoTopUpNoticePayload;
  const db = await getDb();
  const [wallet] = await db.select({ userId: wallets.userId, organizationId: wallets.organizationId }).from(wallets).where(eq(wallets.id, notice.walletId));
  if (!wallet) return;
  const { recipients, organizationName } = await walletRecipients(wallet);
  for (const recipient of recipients) {
    await sendEmail({
      to: recipient.email,
      subject: autoTopUpNoticeSubject(notice.notice),
      react: AutoTopUpNoticeEmail({
        appName: appConfig.name,
        name: recipient.name,
        notice: notice.notice,
        paused: notice.paused,
        amountText: notice.amountText,
        itemName: notice.itemName,
        message: notice.message,
        organizationName,
        settingsUrl: creditsPageUrl('#auto-top-up'),
      }),
    });
  }
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
            creditsUrl: creditsPageUrl(),
            purchaseId: payload.purchaseId,
            discountText: payload.amountDiscountMinor ? `−${formatMoney(payload.amountDiscountMinor, payload.currency)}` : null,
            taxText: payload.amountTaxMinor ? formatMoney(payload.amountTaxMinor, payload.currency) : null,
            invoiceUrl: payload.invoiceUrl ?? null,
            automatic: payload.automatic ?? false,
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
    case 'expiry_reminder':
    case 'expiring_callback':
      return remindOfExpiry(job);
    case 'low_balance_alert':
    case 'low_balance_callback':
      return alertLowBalance(job);
    case 'auto_top_up':
      await runAutoTopUp(job);
      return;
    case 'auto_top_up_notice':
      return sendAutoTopUpNotice(job);
    default: {
      const unreachable: never = job.kind;
      throw new Error(`Unknown job ${String(unreachable)}`);
    }
  }
}
