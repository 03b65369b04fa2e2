CREATE TYPE "public"."credit_bucket" AS ENUM('purchased', 'bonus');--> statement-breakpoint
CREATE TYPE "public"."credit_hold_status" AS ENUM('open', 'settled', 'released', 'expired');--> statement-breakpoint
CREATE TYPE "public"."credit_lot_source" AS ENUM('purchase', 'grant', 'signup_bonus', 'correction', 'opening_balance');--> statement-breakpoint
CREATE TYPE "public"."organization_role" AS ENUM('owner', 'admin', 'member');--> statement-breakpoint
CREATE TYPE "public"."wallet_kind" AS ENUM('personal', 'organization');--> statement-breakpoint
ALTER TYPE "public"."credit_transaction_type" ADD VALUE 'hold';--> statement-breakpoint
ALTER TYPE "public"."credit_transaction_type" ADD VALUE 'hold_settled';--> statement-breakpoint
ALTER TYPE "public"."credit_transaction_type" ADD VALUE 'hold_released';--> statement-breakpoint
ALTER TYPE "public"."credit_transaction_type" ADD VALUE 'hold_expired';--> statement-breakpoint
ALTER TYPE "public"."credit_transaction_type" ADD VALUE 'expiration';--> statement-breakpoint
CREATE TABLE "credit_hold_lots" (
	"hold_id" uuid NOT NULL,
	"lot_id" uuid NOT NULL,
	"wallet_id" text NOT NULL,
	"bucket" "credit_bucket" NOT NULL,
	"credits" bigint NOT NULL,
	CONSTRAINT "credit_hold_lots_hold_id_lot_id_pk" PRIMARY KEY("hold_id","lot_id"),
	CONSTRAINT "credit_hold_lots_positive" CHECK ("credit_hold_lots"."credits" > 0)
);
--> statement-breakpoint
CREATE TABLE "credit_holds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"wallet_id" text NOT NULL,
	"actor_id" text,
	"status" "credit_hold_status" DEFAULT 'open' NOT NULL,
	"credits" bigint NOT NULL,
	"from_bonus" bigint NOT NULL,
	"from_purchased" bigint NOT NULL,
	"settled_credits" bigint,
	"reason" text NOT NULL,
	"feature" text,
	"idempotency_key" text,
	"request_fingerprint" text,
	"metadata" jsonb,
	"usage_period" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"closing_transaction_id" bigint,
	CONSTRAINT "credit_holds_amounts" CHECK ("credit_holds"."credits" > 0 and "credit_holds"."from_bonus" >= 0 and "credit_holds"."from_purchased" >= 0 and "credit_holds"."from_bonus" + "credit_holds"."from_purchased" = "credit_holds"."credits")
);
--> statement-breakpoint
CREATE TABLE "credit_lots" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"wallet_id" text NOT NULL,
	"bucket" "credit_bucket" NOT NULL,
	"source" "credit_lot_source" NOT NULL,
	"credits_granted" bigint NOT NULL,
	"credits_left" bigint NOT NULL,
	"expires_at" timestamp with time zone,
	"purchase_id" uuid,
	"expired_at" timestamp with time zone,
	"reminder_queued_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credit_lots_left_within_range" CHECK ("credit_lots"."credits_left" >= 0 and "credit_lots"."credits_granted" > 0)
);
--> statement-breakpoint
CREATE TABLE "member_credit_usage" (
	"wallet_id" text NOT NULL,
	"user_id" text NOT NULL,
	"period" timestamp with time zone NOT NULL,
	"credits" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "member_credit_usage_wallet_id_user_id_period_pk" PRIMARY KEY("wallet_id","user_id","period"),
	CONSTRAINT "member_credit_usage_non_negative" CHECK ("member_credit_usage"."credits" >= 0)
);
--> statement-breakpoint
CREATE TABLE "organization_invites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"email" text NOT NULL,
	"role" "organization_role" DEFAULT 'member' NOT NULL,
	"token_hash" text NOT NULL,
	"invited_by" text,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organization_invites_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "organization_members" (
	"organization_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"role" "organization_role" DEFAULT 'member' NOT NULL,
	"monthly_cap" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organization_members_organization_id_user_id_pk" PRIMARY KEY("organization_id","user_id"),
	CONSTRAINT "organization_members_cap_non_negative" CHECK ("organization_members"."monthly_cap" is null or "organization_members"."monthly_cap" >= 0)
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"billing_email" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wallets" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" "wallet_kind" NOT NULL,
	"user_id" text,
	"organization_id" uuid,
	"stripe_customer_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wallets_user_id_unique" UNIQUE("user_id"),
	CONSTRAINT "wallets_organization_id_unique" UNIQUE("organization_id"),
	CONSTRAINT "wallets_stripe_customer_id_unique" UNIQUE("stripe_customer_id"),
	CONSTRAINT "wallets_one_owner" CHECK (("wallets"."kind" = 'personal' and "wallets"."user_id" is not null and "wallets"."organization_id" is null) or ("wallets"."kind" = 'organization' and "wallets"."organization_id" is not null and "wallets"."user_id" is null))
);
--> statement-breakpoint
ALTER TABLE "credit_balances" DROP CONSTRAINT "credit_balances_within_safe_integers";--> statement-breakpoint
ALTER TABLE "credit_balances" DROP CONSTRAINT "credit_balances_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "credit_purchases" DROP CONSTRAINT "credit_purchases_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "credit_transactions" DROP CONSTRAINT "credit_transactions_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "credit_purchases" ALTER COLUMN "user_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_transactions" ALTER COLUMN "user_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_balances" ADD COLUMN "wallet_id" text;--> statement-breakpoint
ALTER TABLE "credit_balances" ADD COLUMN "held" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_balances" ADD COLUMN "next_expiry_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "wallet_id" text;--> statement-breakpoint
ALTER TABLE "credit_transactions" ADD COLUMN "wallet_id" text;--> statement-breakpoint
ALTER TABLE "credit_transactions" ADD COLUMN "held_delta" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_transactions" ADD COLUMN "held_after" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_transactions" ADD COLUMN "feature" text;--> statement-breakpoint
ALTER TABLE "credit_transactions" ADD COLUMN "lot_id" uuid;--> statement-breakpoint
ALTER TABLE "credit_transactions" ADD COLUMN "hold_id" uuid;--> statement-breakpoint
ALTER TABLE "credit_hold_lots" ADD CONSTRAINT "credit_hold_lots_hold_id_credit_holds_id_fk" FOREIGN KEY ("hold_id") REFERENCES "public"."credit_holds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_hold_lots" ADD CONSTRAINT "credit_hold_lots_lot_id_credit_lots_id_fk" FOREIGN KEY ("lot_id") REFERENCES "public"."credit_lots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_holds" ADD CONSTRAINT "credit_holds_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_lots" ADD CONSTRAINT "credit_lots_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_credit_usage" ADD CONSTRAINT "member_credit_usage_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_invites" ADD CONSTRAINT "organization_invites_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_invites" ADD CONSTRAINT "organization_invites_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_members" ADD CONSTRAINT "organization_members_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organization_members" ADD CONSTRAINT "organization_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_holds_wallet_idempotency_key_idx" ON "credit_holds" USING btree ("wallet_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "credit_holds_open_wallet_idx" ON "credit_holds" USING btree ("wallet_id","expires_at") WHERE "credit_holds"."status" = 'open';--> statement-breakpoint
CREATE INDEX "credit_holds_due_idx" ON "credit_holds" USING btree ("expires_at") WHERE "credit_holds"."status" = 'open';--> statement-breakpoint
CREATE INDEX "credit_lots_spend_order_idx" ON "credit_lots" USING btree ("wallet_id","bucket","expires_at","created_at") WHERE "credit_lots"."credits_left" > 0;--> statement-breakpoint
CREATE INDEX "credit_lots_due_idx" ON "credit_lots" USING btree ("expires_at") WHERE "credit_lots"."credits_left" > 0 and "credit_lots"."expires_at" is not null;--> statement-breakpoint
CREATE INDEX "credit_lots_purchase_id_idx" ON "credit_lots" USING btree ("purchase_id");--> statement-breakpoint
CREATE INDEX "organization_invites_organization_id_idx" ON "organization_invites" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "organization_members_user_id_idx" ON "organization_members" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "credit_balances" ADD CONSTRAINT "credit_balances_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD CONSTRAINT "credit_purchases_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD CONSTRAINT "credit_purchases_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_transactions" ADD CONSTRAINT "credit_transactions_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "credit_balances_next_expiry_at_idx" ON "credit_balances" USING btree ("next_expiry_at");--> statement-breakpoint
ALTER TABLE "credit_balances" ADD CONSTRAINT "credit_balances_held_non_negative" CHECK ("credit_balances"."held" >= 0);--> statement-breakpoint
ALTER TABLE "credit_balances" ADD CONSTRAINT "credit_balances_within_safe_integers" CHECK ("credit_balances"."purchased" + "credit_balances"."bonus" + "credit_balances"."held" <= 9007199254740991 and "credit_balances"."used" <= 9007199254740991);