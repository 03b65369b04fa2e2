-- Corrections: an admin takes credits out of one bucket (revoking bonus credits, correcting purchased
-- ones) or puts credits into it, with a reason, as one `correction` entry with the admin as actor.
-- Like every ledger function it locks the wallet's balance row first (credits_lock, which also
-- expires what is due), so a correction racing deductions, holds or another correction is applied
-- to the balance as it is when the lock is granted.
--
-- Never below zero: a revocation must be covered by the bucket's spendable credits (held and expired
-- credits are not spendable). Otherwise the answer is `insufficient` and nothing is written; the
-- detail says what the bucket had. A revocation takes from the bucket's lots in spending order and
-- records which lots it took from; an addition is a new lot of source `correction` that never expires.
CREATE FUNCTION "credits_correct"(
  p_wallet text, p_bucket credit_bucket, p_credits bigint, p_reason text, p_actor_id text,
  p_key text, p_fingerprint text, p_metadata jsonb
) RETURNS credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
  e credit_transactions;
  v_lot uuid;
  v_have bigint;
  v_taken bigint;
  v_lots jsonb;
BEGIN
  IF p_credits IS NULL OR p_credits = 0 THEN
    RAISE EXCEPTION 'credits: a correction must move a non-zero number of credits, not %', p_credits USING ERRCODE = '22023';
  END IF;
  IF p_actor_id IS NULL THEN
    RAISE EXCEPTION 'credits: a correction needs the admin who made it' USING ERRCODE = '22023';
  END IF;
  b := credits_lock(p_wallet);
  IF b.wallet_id IS NULL THEN
    RETURN credits_outcome_of('no_wallet', NULL, NULL, NULL, NULL);
  END IF;
  IF p_key IS NOT NULL THEN
    SELECT * INTO e FROM credit_transactions WHERE wallet_id = p_wallet AND idempotency_key = p_key;
    IF FOUND THEN
      RETURN credits_replay(e, p_fingerprint, b.bonus + b.purchased);
    END IF;
  END IF;

  IF p_credits < 0 THEN
    v_have := CASE WHEN p_bucket = 'bonus' THEN b.bonus ELSE b.purchased END;
    IF v_have < -p_credits THEN
      RETURN credits_outcome_of('insufficient', NULL, b.bonus + b.purchased, NULL,
        jsonb_build_object('required', -p_credits, 'bucket', p_bucket, 'bucketAvailable', v_have));
    END IF;
    SELECT coalesce(sum(t.taken), 0), coalesce(jsonb_agg(jsonb_build_object('lotId', t.lot_id, 'credits', t.taken)), '[]'::jsonb)
      INTO v_taken, v_lots
      FROM credits_take_lots(p_wallet, -p_credits, p_bucket) t;
    IF v_taken <> -p_credits THEN
      RAISE EXCEPTION 'credits: the % lots of wallet % do not hold its balance', p_bucket, p_wallet;
    END IF;
    e := credits_apply(p_wallet, 'correction',
      CASE WHEN p_bucket = 'purchased' THEN p_credits ELSE 0 END, CASE WHEN p_bucket = 'bonus' THEN p_credits ELSE 0 END, 0, 0,
      p_reason, 'admin', p_actor_id,
      coalesce(p_metadata, '{}'::jsonb) || jsonb_build_object('bucket', p_bucket, 'credits', p_credits, 'lots', v_lots),
      p_key => p_key, p_fingerprint => p_fingerprint);
  ELSE
    INSERT INTO credit_lots (wallet_id, bucket, source, credits_granted, credits_left)
    VALUES (p_wallet, p_bucket, 'correction', p_credits, p_credits)
    RETURNING id INTO v_lot;
    e := credits_apply(p_wallet, 'correction',
      CASE WHEN p_bucket = 'purchased' THEN p_credits ELSE 0 END, CASE WHEN p_bucket = 'bonus' THEN p_credits ELSE 0 END, 0, 0,
      p_reason, 'admin', p_actor_id,
      coalesce(p_metadata, '{}'::jsonb) || jsonb_build_object('bucket', p_bucket, 'credits', p_credits),
      p_key => p_key, p_fingerprint => p_fingerprint, p_lot => v_lot);
  END IF;
  RETURN credits_outcome_of('ok', e, e.purchased_after + e.bonus_after, NULL, NULL);
END $$;
