ALTER TYPE "public"."credit_purchase_status" ADD VALUE 'needs_review';--> statement-breakpoint
ALTER TYPE "public"."payment_task_kind" ADD VALUE 'review_callback';--> statement-breakpoint
CREATE TABLE "refund_failures" (
	"refund_id" text PRIMARY KEY NOT NULL,
	"payment_intent_id" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"failed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "currency_paid" text;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "review_reason" text;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "credits_shortfall" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Purchases refunded before this migration: their shortfall so far is in their refund entries.
UPDATE "credit_purchases" SET "credits_shortfall" = least("credits_reversed", coalesce((
  SELECT sum(("metadata"->>'creditsShortfall')::bigint) FROM "credit_transactions"
  WHERE "type" = 'refund' AND "metadata"->>'purchaseId' = "credit_purchases"."id"::text
), 0));--> statement-breakpoint
ALTER TABLE "payment_adjustments" ADD COLUMN "refunded_as_of" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "refund_failures_payment_intent_idx" ON "refund_failures" USING btree ("payment_intent_id");--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD CONSTRAINT "credit_purchases_shortfall_within_reversal" CHECK ("credit_purchases"."credits_shortfall" between 0 and "credit_purchases"."credits_reversed");