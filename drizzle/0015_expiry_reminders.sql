ALTER TYPE "public"."job_kind" ADD VALUE 'expiry_reminder';--> statement-breakpoint
ALTER TYPE "public"."job_kind" ADD VALUE 'expiring_callback';