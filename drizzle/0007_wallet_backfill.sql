-- Every user gets a personal wallet (`user:<id>`, a trigger keeps this true for new users from
-- 0009 on), and everything credits-related moves from the user to that wallet.
INSERT INTO "wallets" ("id", "kind", "user_id") SELECT 'user:' || "id", 'personal', "id" FROM "users" ON CONFLICT DO NOTHING;--> statement-breakpoint
UPDATE "credit_balances" SET "wallet_id" = 'user:' || "user_id";--> statement-breakpoint
INSERT INTO "credit_balances" ("user_id", "wallet_id")
  SELECT u."id", 'user:' || u."id" FROM "users" u WHERE NOT EXISTS (SELECT 1 FROM "credit_balances" b WHERE b."user_id" = u."id");--> statement-breakpoint
-- The ledger refuses updates (append-only); this one-time move of its owner column is the exception.
ALTER TABLE "credit_transactions" DISABLE TRIGGER "credit_transactions_append_only";--> statement-breakpoint
UPDATE "credit_transactions" SET "wallet_id" = 'user:' || "user_id";--> statement-breakpoint
ALTER TABLE "credit_transactions" ENABLE TRIGGER "credit_transactions_append_only";--> statement-breakpoint
UPDATE "credit_purchases" SET "wallet_id" = 'user:' || "user_id";--> statement-breakpoint
-- Existing balances become one never-expiring lot per wallet and bucket, so the buckets equal their lots.
INSERT INTO "credit_lots" ("wallet_id", "bucket", "source", "credits_granted", "credits_left")
  SELECT "wallet_id", 'purchased'::credit_bucket, 'opening_balance'::credit_lot_source, "purchased", "purchased" FROM "credit_balances" WHERE "purchased" > 0
  UNION ALL
  SELECT "wallet_id", 'bonus'::credit_bucket, 'opening_balance'::credit_lot_source, "bonus", "bonus" FROM "credit_balances" WHERE "bonus" > 0;
