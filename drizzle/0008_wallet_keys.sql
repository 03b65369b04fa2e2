DROP INDEX "credit_purchases_user_id_created_at_idx";--> statement-breakpoint
DROP INDEX "credit_transactions_user_idempotency_key_idx";--> statement-breakpoint
DROP INDEX "credit_transactions_user_id_id_idx";--> statement-breakpoint
DROP INDEX "credit_transactions_user_deductions_idx";--> statement-breakpoint
-- Dropping the old key column drops its primary key, so the wallet can take its place.
ALTER TABLE "credit_balances" DROP COLUMN "user_id";--> statement-breakpoint
ALTER TABLE "credit_balances" ADD PRIMARY KEY ("wallet_id");--> statement-breakpoint
ALTER TABLE "credit_balances" ALTER COLUMN "wallet_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_purchases" ALTER COLUMN "wallet_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "credit_transactions" ALTER COLUMN "wallet_id" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "credit_purchases_wallet_id_created_at_idx" ON "credit_purchases" USING btree ("wallet_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_transactions_wallet_idempotency_key_idx" ON "credit_transactions" USING btree ("wallet_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "credit_transactions_wallet_id_id_idx" ON "credit_transactions" USING btree ("wallet_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "credit_transactions_wallet_deductions_idx" ON "credit_transactions" USING btree ("wallet_id","created_at") WHERE "credit_transactions"."type" = 'deduction';--> statement-breakpoint
CREATE INDEX "credit_transactions_hold_id_idx" ON "credit_transactions" USING btree ("hold_id") WHERE "credit_transactions"."hold_id" is not null;--> statement-breakpoint
ALTER TABLE "credit_transactions" DROP COLUMN "user_id";