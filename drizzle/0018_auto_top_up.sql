CREATE TYPE "public"."credit_purchase_kind" AS ENUM('checkout', 'auto_top_up');--> statement-breakpoint
ALTER TYPE "public"."job_kind" ADD VALUE 'auto_top_up';--> statement-breakpoint
ALTER TYPE "public"."job_kind" ADD VALUE 'auto_top_up_notice';--> statement-breakpoint
CREATE TABLE "auto_top_ups" (
	"wallet_id" text PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"threshold_credits" bigint,
	"package_id" text,
	"credits" bigint,
	"amount_minor" bigint,
	"currency" text,
	"max_per_month" integer,
	"payment_method_id" text,
	"card_brand" text,
	"card_last4" text,
	"card_exp_month" integer,
	"card_exp_year" integer,
	"card_saved_at" timestamp with time zone,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"paused_at" timestamp with time zone,
	"pause_reason" text,
	"enabled_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "auto_top_ups_complete_when_enabled" CHECK (not "auto_top_ups"."enabled" or ("auto_top_ups"."threshold_credits" > 0 and "auto_top_ups"."package_id" is not null and "auto_top_ups"."credits" > 0 and "auto_top_ups"."amount_minor" > 0 and "auto_top_ups"."currency" is not null and "auto_top_ups"."max_per_month" between 1 and 100 and "auto_top_ups"."payment_method_id" is not null)),
	CONSTRAINT "auto_top_ups_failures_non_negative" CHECK ("auto_top_ups"."consecutive_failures" >= 0)
);
--> statement-breakpoint
ALTER TABLE "credit_balances" ADD COLUMN "auto_top_up_threshold" bigint;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "kind" "credit_purchase_kind" DEFAULT 'checkout' NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "auto_top_up_reference" text;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "failure_code" text;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "failure_message" text;--> statement-breakpoint
ALTER TABLE "auto_top_ups" ADD CONSTRAINT "auto_top_ups_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "auto_top_ups" ADD CONSTRAINT "auto_top_ups_enabled_by_users_id_fk" FOREIGN KEY ("enabled_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_purchases_auto_top_up_month_idx" ON "credit_purchases" USING btree ("wallet_id","created_at") WHERE "credit_purchases"."kind" = 'auto_top_up';--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD CONSTRAINT "credit_purchases_auto_top_up_reference_unique" UNIQUE("auto_top_up_reference");--> statement-breakpoint
ALTER TABLE "credit_balances" ADD CONSTRAINT "credit_balances_auto_top_up_threshold_positive" CHECK ("credit_balances"."auto_top_up_threshold" is null or "credit_balances"."auto_top_up_threshold" > 0);--> statement-breakpoint
-- Auto top-up, detected like the low-balance alert (0017): whichever ledger statement takes a wallet's
-- available credits (purchased + bonus) from at least its auto top-up threshold to below it queues one
-- `auto_top_up` job in its own transaction. The balance row's lock serialises changes to one wallet,
-- so of 50 deductions crossing at once exactly one sees the crossing; a rise back re-arms it. The
-- column is null unless auto top-up is on and not paused, so other wallets pay one comparison.
CREATE FUNCTION "credits_auto_top_up_crossed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO jobs (kind, reference, wallet_id, payload)
  VALUES ('auto_top_up', NEW.wallet_id || ':crossing:' || nextval('credits_alert_crossing_seq'), NEW.wallet_id,
          jsonb_build_object(
            'walletId', NEW.wallet_id,
            'threshold', NEW.auto_top_up_threshold,
            'availableBefore', OLD.purchased + OLD.bonus,
            'availableAfter', NEW.purchased + NEW.bonus,
            'crossedAt', now()
          ));
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "credit_balances_auto_top_up" AFTER UPDATE OF "purchased", "bonus" ON "credit_balances" FOR EACH ROW
  WHEN (NEW.auto_top_up_threshold > 0 AND OLD.purchased + OLD.bonus >= NEW.auto_top_up_threshold AND NEW.purchased + NEW.bonus < NEW.auto_top_up_threshold)
  EXECUTE FUNCTION "credits_auto_top_up_crossed"();
