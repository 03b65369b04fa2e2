-- Indexes for insights: the new ones are built before the ones they replace are dropped, so no query
-- is left without an index in between.
CREATE INDEX "credit_transactions_wallet_history_idx" ON "credit_transactions" USING btree ("wallet_id","id" DESC NULLS LAST,"type","created_at");--> statement-breakpoint
CREATE INDEX "credit_transactions_wallet_time_idx" ON "credit_transactions" USING btree ("wallet_id","created_at","feature","used_delta");--> statement-breakpoint
CREATE INDEX "credit_transactions_created_at_brin_idx" ON "credit_transactions" USING brin ("created_at");--> statement-breakpoint
CREATE INDEX "credit_transactions_admin_actions_idx" ON "credit_transactions" USING btree ("id" DESC NULLS LAST) WHERE "credit_transactions"."actor_type" = 'admin';--> statement-breakpoint
DROP INDEX "credit_transactions_wallet_id_id_idx";--> statement-breakpoint
DROP INDEX "credit_transactions_wallet_deductions_idx";
