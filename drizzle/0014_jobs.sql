-- Payment tasks become the one table of background work (jobs): the same rows, renamed, with a time
-- to run at and the wallet a job is about.
ALTER TYPE "public"."payment_task_kind" RENAME TO "job_kind";--> statement-breakpoint
ALTER TABLE "payment_tasks" RENAME TO "jobs";--> statement-breakpoint
ALTER TABLE "jobs" RENAME CONSTRAINT "payment_tasks_pkey" TO "jobs_pkey";--> statement-breakpoint
ALTER TABLE "jobs" RENAME CONSTRAINT "payment_tasks_purchase_id_credit_purchases_id_fk" TO "jobs_purchase_id_credit_purchases_id_fk";--> statement-breakpoint
ALTER INDEX "payment_tasks_kind_reference_idx" RENAME TO "jobs_kind_reference_idx";--> statement-breakpoint
ALTER INDEX "payment_tasks_pending_purchase_idx" RENAME TO "jobs_pending_purchase_idx";--> statement-breakpoint
DROP INDEX "payment_tasks_pending_idx";--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "wallet_id" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "run_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
UPDATE "jobs" SET "run_at" = "created_at";--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_wallet_id_wallets_id_fk" FOREIGN KEY ("wallet_id") REFERENCES "public"."wallets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jobs_due_idx" ON "jobs" USING btree ("run_at") WHERE "jobs"."done_at" is null;
