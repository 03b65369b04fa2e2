CREATE TABLE "payment_adjustments" (
	"payment_intent_id" text PRIMARY KEY NOT NULL,
	"amount_refunded_minor" bigint DEFAULT 0 NOT NULL,
	"amount_dispute_lost_minor" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credit_purchases" DROP COLUMN "amount_refunded_minor";--> statement-breakpoint
ALTER TABLE "credit_purchases" DROP COLUMN "amount_dispute_lost_minor";