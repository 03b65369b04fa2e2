CREATE TYPE "public"."idempotent_request_status" AS ENUM('in_progress', 'completed');--> statement-breakpoint
ALTER TYPE "public"."credit_purchase_status" ADD VALUE 'needs_review';--> statement-breakpoint
ALTER TYPE "public"."payment_task_kind" ADD VALUE 'review_callback';--> statement-breakpoint
CREATE TABLE "idempotent_requests" (
	"user_id" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"status" "idempotent_request_status" DEFAULT 'in_progress' NOT NULL,
	"locked_until" timestamp with time zone NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "idempotent_requests_user_id_idempotency_key_pk" PRIMARY KEY("user_id","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "refund_failures" (
	"refund_id" text PRIMARY KEY NOT NULL,
	"payment_intent_id" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"failed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "created_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "currency_paid" text;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "review_reason" text;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "credits_shortfall" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payment_adjustments" ADD COLUMN "refunded_as_of" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email_proven_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "idempotent_requests" ADD CONSTRAINT "idempotent_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "refund_failures_payment_intent_idx" ON "refund_failures" USING btree ("payment_intent_id");--> statement-breakpoint
-- Purchases refunded before this migration: their shortfall so far is in their refund entries.
UPDATE "credit_purchases" SET "credits_shortfall" = least("credits_reversed", coalesce((
  SELECT sum(("metadata"->>'creditsShortfall')::bigint) FROM "credit_transactions"
  WHERE "type" = 'refund' AND "metadata"->>'purchaseId' = "credit_purchases"."id"::text
), 0));--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD CONSTRAINT "credit_purchases_shortfall_within_reversal" CHECK ("credit_purchases"."credits_shortfall" between 0 and "credit_purchases"."credits_reversed");