ALTER TABLE "credit_purchases" ADD COLUMN "amount_subtotal_minor" bigint;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "amount_discount_minor" bigint;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "amount_tax_minor" bigint;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "stripe_invoice_id" text;--> statement-breakpoint
ALTER TABLE "credit_purchases" ADD COLUMN "invoice_url" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "preferred_currency" text;