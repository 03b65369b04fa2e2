-- A Checkout purchase's ordinary fulfilment as one statement. The webhook reads the purchase first
-- (no lock) and, when it is pending and the charge pays for it, sends this call instead of the
-- general transaction (begin, the payment's lock, the purchase row, its update, the credit, the
-- disputes, the buyer, the refunds, the jobs, commit: eleven statements). Under the same two locks,
-- in the same order (the payment's advisory lock, then the purchase row), it checks that the purchase
-- is still what the webhook read: pending, with the payment intent and buyer it read (a buyer who
-- deleted their account since has no receipt coming), nothing taken back, no dispute and no refund or
-- lost dispute recorded for the payment. Then it marks the purchase paid
-- with what Stripe charged, adds the credits (credits_add: a lot and its ledger entry, keyed by the
-- checkout session) and queues the receipt and callback with the balance after the credit. Anything
-- else answers 'general' having written nothing, and the webhook runs the general transaction, which
-- handles every other case (paid, held for review, refunds or disputes first).
CREATE FUNCTION "credits_fulfil_checkout"(
  p_purchase uuid, p_lock text, p_seen_payment_intent text, p_seen_user text,
  p_payment_intent text, p_amount_paid bigint, p_currency_paid text, p_amount_subtotal bigint,
  p_amount_discount bigint, p_amount_tax bigint, p_invoice text, p_invoice_url text,
  p_wallet text, p_credits bigint, p_expires_at timestamptz, p_reason text, p_key text, p_metadata jsonb,
  p_session text, p_event text, p_jobs jsonb
) RETURNS TABLE (r_outcome text, r_available bigint) LANGUAGE plpgsql AS $$
DECLARE
  p credit_purchases;
  o credits_outcome;
BEGIN
  IF p_lock IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtext(p_lock));
  END IF;
  SELECT * INTO p FROM credit_purchases WHERE id = p_purchase FOR UPDATE;
  IF NOT FOUND OR p.status <> 'pending' OR p.credits_reversed <> 0 OR p.credits <> p_credits OR p.wallet_id <> p_wallet
     OR p.stripe_payment_intent_id IS DISTINCT FROM p_seen_payment_intent OR p.user_id IS DISTINCT FROM p_seen_user
     OR EXISTS (SELECT 1 FROM credit_disputes d WHERE d.purchase_id = p_purchase)
     OR (p_payment_intent IS NOT NULL AND EXISTS (SELECT 1 FROM payment_adjustments a WHERE a.payment_intent_id = p_payment_intent)) THEN
    RETURN QUERY SELECT 'general'::text, NULL::bigint;
    RETURN;
  END IF;
  UPDATE credit_purchases SET
    stripe_payment_intent_id = p_payment_intent, amount_paid_minor = p_amount_paid, currency_paid = p_currency_paid,
    amount_subtotal_minor = p_amount_subtotal, amount_discount_minor = p_amount_discount, amount_tax_minor = p_amount_tax,
    stripe_invoice_id = p_invoice, invoice_url = p_invoice_url,
    status = 'paid', failure_code = NULL, failure_message = NULL, fulfilled_at = now(), updated_at = now()
  WHERE id = p_purchase;
  o := credits_add(p_wallet, 'purchase', 'purchased', 'purchase', p_credits, p_expires_at, p_reason, 'stripe', NULL,
    p_key, NULL, p_metadata, p_purchase, p_session, p_payment_intent, p_event);
  IF o.status <> 'ok' THEN
    RAISE EXCEPTION 'credits: crediting purchase % answered %', p_purchase, o.status;
  END IF;
  INSERT INTO jobs (kind, reference, purchase_id, payload)
  SELECT (j ->> 'kind')::job_kind, j ->> 'reference', p_purchase, (j -> 'payload') || jsonb_build_object('creditsBalance', o.available)
  FROM jsonb_array_elements(p_jobs) j
  ON CONFLICT (kind, reference) DO NOTHING;
  RETURN QUERY SELECT 'fulfilled'::text, o.available;
END $$;
