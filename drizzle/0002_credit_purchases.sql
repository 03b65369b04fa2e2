CREATE TYPE "public"."credit_purchase_status" AS ENUM('pending', 'paid', 'failed', 'expired');--> statement-breakpoint
CREATE TYPE "public"."payment_task_kind" AS ENUM('top_up_callback', 'top_up_receipt', 'refund_callback', 'dispute_callback');--> statement-breakpoint
CREATE TABLE "credit_disputes" (
	"id" text PRIMARY KEY NOT NULL,
	"purchase_id" uuid NOT NULL,
	"amount_minor" bigint NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit_purchases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"package_id" text,
	"credits" bigint NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" "credit_purchase_status" DEFAULT 'pending' NOT NULL,
	"success_url" text NOT NULL,
	"cancel_url" text NOT NULL,
	"stripe_checkout_session_id" text,
	"stripe_payment_intent_id" text,
	"amount_refunded_minor" bigint DEFAULT 0 NOT NULL,
	"amount_dispute_lost_minor" bigint DEFAULT 0 NOT NULL,
	"credits_reversed" bigint DEFAULT 0 NOT NULL,
	"fulfilled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_purchases_stripe_checkout_session_id_unique" UNIQUE("stripe_checkout_session_id"),
	CONSTRAINT "credit_purchases_stripe_payment_intent_id_unique" UNIQUE("stripe_payment_intent_id"),
	CONSTRAINT "credit_purchases_positive" CHECK ("credit_purchases"."credits" > 0 and "credit_purchases"."amount_minor" > 0),
	CONSTRAINT "credit_purchases_reversal_within_credits" CHECK ("credit_purchases"."credits_reversed" between 0 and "credit_purchases"."credits")
);
--> statement-breakpoint
CREATE TABLE "payment_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "payment_task_kind" NOT NULL,
	"reference" text NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"locked_until" timestamp with time zone,
	"done_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credit_disputes" ADD CONSTRAINT "credit_disputes_purchase_id_credit_purchases_id_fk" FOREIGN KEY ("purchase_id") REFERENCES "public"."credit_purchases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD CONSTRAINT "credit_purchases_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_purchases_user_id_created_at_idx" ON "credit_purchases" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "payment_tasks_kind_reference_idx" ON "payment_tasks" USING btree ("kind","reference");--> statement-breakpoint
CREATE INDEX "payment_tasks_pending_idx" ON "payment_tasks" USING btree ("created_at") WHERE "payment_tasks"."done_at" is null;