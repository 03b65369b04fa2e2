ALTER TYPE "public"."job_kind" ADD VALUE 'low_balance_alert';--> statement-breakpoint
ALTER TYPE "public"."job_kind" ADD VALUE 'low_balance_callback';--> statement-breakpoint
ALTER TABLE "credit_balances" ADD COLUMN "alert_threshold" bigint;--> statement-breakpoint
ALTER TABLE "credit_balances" ADD CONSTRAINT "credit_balances_alert_threshold_non_negative" CHECK ("credit_balances"."alert_threshold" is null or "credit_balances"."alert_threshold" >= 0);--> statement-breakpoint
-- Low-balance alerts, detected by the statement that moves the balance: whichever ledger function
-- takes a wallet's available credits (purchased + bonus) from at least its threshold to below it
-- queues the alert in the same transaction. Concurrent changes to one wallet are serialised by the
-- balance row's lock, so of many deductions crossing at once exactly one sees the crossing; a rise
-- back to the threshold re-arms it. The WHEN clause is checked without calling the function, so a
-- wallet without a threshold (or a change that crosses nothing) costs one comparison.
CREATE SEQUENCE "credits_alert_crossing_seq";--> statement-breakpoint
CREATE FUNCTION "credits_low_balance_crossed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_reference text := NEW.wallet_id || ':' || nextval('credits_alert_crossing_seq');
  v_payload jsonb := jsonb_build_object(
    'walletId', NEW.wallet_id,
    'threshold', NEW.alert_threshold,
    'availableBefore', OLD.purchased + OLD.bonus,
    'availableAfter', NEW.purchased + NEW.bonus,
    'crossedAt', now()
  );
BEGIN
  INSERT INTO jobs (kind, reference, wallet_id, payload)
  VALUES ('low_balance_alert', v_reference, NEW.wallet_id, v_payload),
         ('low_balance_callback', v_reference, NEW.wallet_id, v_payload);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "credit_balances_low_balance" AFTER UPDATE OF "purchased", "bonus" ON "credit_balances" FOR EACH ROW
  WHEN (NEW.alert_threshold > 0 AND OLD.purchased + OLD.bonus >= NEW.alert_threshold AND NEW.purchased + NEW.bonus < NEW.alert_threshold)
  EXECUTE FUNCTION "credits_low_balance_crossed"();
