CREATE TYPE "public"."credit_actor_type" AS ENUM('user', 'admin', 'system', 'stripe');--> statement-breakpoint
CREATE TYPE "public"."credit_transaction_type" AS ENUM('purchase', 'grant', 'signup_bonus', 'deduction', 'refund', 'correction');--> statement-breakpoint
CREATE TABLE "credit_balances" (
	"user_id" text PRIMARY KEY NOT NULL,
	"purchased" bigint DEFAULT 0 NOT NULL,
	"bonus" bigint DEFAULT 0 NOT NULL,
	"used" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_balances_purchased_non_negative" CHECK ("credit_balances"."purchased" >= 0),
	CONSTRAINT "credit_balances_bonus_non_negative" CHECK ("credit_balances"."bonus" >= 0),
	CONSTRAINT "credit_balances_used_non_negative" CHECK ("credit_balances"."used" >= 0),
	CONSTRAINT "credit_balances_within_safe_integers" CHECK ("credit_balances"."purchased" + "credit_balances"."bonus" <= 9007199254740991 and "credit_balances"."used" <= 9007199254740991)
);
--> statement-breakpoint
CREATE TABLE "credit_transactions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "credit_transactions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"type" "credit_transaction_type" NOT NULL,
	"purchased_delta" bigint NOT NULL,
	"bonus_delta" bigint NOT NULL,
	"used_delta" bigint NOT NULL,
	"purchased_after" bigint NOT NULL,
	"bonus_after" bigint NOT NULL,
	"used_after" bigint NOT NULL,
	"reason" text NOT NULL,
	"actor_type" "credit_actor_type" NOT NULL,
	"actor_id" text,
	"idempotency_key" text,
	"request_fingerprint" text,
	"stripe_checkout_session_id" text,
	"stripe_payment_intent_id" text,
	"stripe_event_id" text,
	"metadata" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "credit_balances" ADD CONSTRAINT "credit_balances_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_transactions" ADD CONSTRAINT "credit_transactions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_transactions_user_idempotency_key_idx" ON "credit_transactions" USING btree ("user_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "credit_transactions_user_id_id_idx" ON "credit_transactions" USING btree ("user_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "credit_transactions_user_deductions_idx" ON "credit_transactions" USING btree ("user_id","created_at") WHERE "credit_transactions"."type" = 'deduction';--> statement-breakpoint
-- The ledger is append-only: an entry is never changed, and only removed with its user (a cascade).
CREATE FUNCTION "credit_transactions_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' OR pg_trigger_depth() <= 1 THEN
    RAISE EXCEPTION 'credit_transactions is append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN OLD;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "credit_transactions_append_only" BEFORE UPDATE OR DELETE ON "credit_transactions"
  FOR EACH ROW EXECUTE FUNCTION "credit_transactions_append_only"();
