import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm';

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
import { getDb, type Executor } from '@/shared/db/client';
import { paymentTasks, type PaymentTask, type PaymentTaskKind } from '@/shared/db/schema';
import { sendEmail } from '@/shared/email/send-email';
import { CreditsTopUpEmail } from '@/shared/emails/credits-top-up';
import { formatCount } from '@/shared/lib/format-count';

/** How long a runner holds a task before another may take it over (a crashed runner's task). */
const LEASE_MS = 2 * 60 * 1000;

/**
 * Records a side effect to run after the current transaction commits. Call it inside the
 * transaction that makes the change; a second call for the same kind and reference is a no-op.
 */
export async function enqueuePaymentTask(
  tx: Executor,
  task: { kind: PaymentTaskKind; reference: string; purchaseId: string; payload: object },
): Promise<void> {
  await tx
    .insert(paymentTasks)
    .values({ ...task, payload: task.payload as Record<string, unknown> })
    .onConflictDoNothing({ target: [paymentTasks.kind, paymentTasks.reference] });
}

async function perform(task: PaymentTask): Promise<void> {
  switch (task.kind) {
    case 'top_up_callback':
      return onCreditsTopUp(task.payload as unknown as CreditsTopUpPayload);
    case 'top_up_receipt': {
      const payload = task.payload as unknown as CreditsTopUpPayload;
      if (!payload.email) return;
      await sendEmail({
        to: payload.email,
        subject: `Receipt: ${formatCount(payload.creditsAdded)} credits added`,
        react: CreditsTopUpEmail({
          appName: appConfig.name,
          name: payload.name,
          creditsAdded: payload.creditsAdded,
          amountText: payload.amountText,
          creditsBalance: payload.creditsBalance,
          creditsUrl: new URL('/dashboard/billings/credits', env.APP_URL).toString(),
          purchaseId: payload.purchaseId,
        }),
      });
      return;
    }
    case 'refund_callback':
      return onCreditsRefunded(task.payload as unknown as CreditsRefundPayload);
    case 'dispute_callback':
      return onCreditsDisputed(task.payload as unknown as CreditsDisputePayload);
    case 'review_callback':
      return onCreditsPurchaseNeedsReview(task.payload as unknown as CreditsPurchaseReviewPayload);
    default: {
      const unreachable: never = task.kind;
      throw new Error(`Unknown payment task ${String(unreachable)}`);
    }
  }
}

/**
 * Runs pending tasks (optionally only those of one purchase). Each task is claimed with a lease,
 * so concurrent runners never run the same task at once, and marked done only after it succeeded;
 * a failure is logged and recorded for the next run. Returns how many ran and how many failed.
 */
export async function runPaymentTasks(options: { purchaseId?: string } = {}): Promise<{ done: number; failed: number }> {
  const db = await getDb();
  const now = new Date();
  const candidates = await db
    .select({ id: paymentTasks.id })
    .from(paymentTasks)
    .where(
      and(
        isNull(paymentTasks.doneAt),
        or(isNull(paymentTasks.lockedUntil), lt(paymentTasks.lockedUntil, now)),
        options.purchaseId ? eq(paymentTasks.purchaseId, options.purchaseId) : undefined,
      ),
    )
    .orderBy(asc(paymentTasks.createdAt))
    .limit(100);

  let done = 0;
  let failed = 0;
  for (const { id } of candidates) {
    const [task] = await db
      .update(paymentTasks)
      .set({ lockedUntil: new Date(Date.now() + LEASE_MS), attempts: sql`${paymentTasks.attempts} + 1` })
      .where(and(eq(paymentTasks.id, id), isNull(paymentTasks.doneAt), or(isNull(paymentTasks.lockedUntil), lt(paymentTasks.lockedUntil, new Date()))))
      .returning();
    if (!task) continue; // another runner took it
    try {
      await perform(task);
      await db.update(paymentTasks).set({ doneAt: new Date(), lockedUntil: null, lastError: null }).where(eq(paymentTasks.id, id));
      done++;
    } catch (error) {
      failed++;
      const message = error instanceof Error ? error.message : String(error);
      console.error(`[payments] ${task.kind} for ${task.reference} failed (attempt ${task.attempts}): ${message}`);
      await db.update(paymentTasks).set({ lockedUntil: null, lastError: message.slice(0, 2000) }).where(eq(paymentTasks.id, id));
    }
  }
  return { done, failed };
}
