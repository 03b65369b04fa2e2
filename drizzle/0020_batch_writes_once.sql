-- credits_deduct_many writes each row once a batch instead of once a call. It still applies the calls
-- in arrival order, each accepted only if the running balance covers it (bonus first, soonest-expiring
-- lots first, as credits_take_lots orders them), each with its own ledger entry, outcome, idempotency
-- and member cap. But it reads the wallet's lots once under the row lock, takes from them in memory,
-- and at the end changes each lot it took from, and the balance row, by the batch's totals (deltas,
-- never values read back). Updating one row n times in a transaction leaves a chain of n versions
-- that each later update walks; in a batch of 100 that was most of the time (37 ms → 8 ms here). The
-- balance row changes once, so a low-balance or auto top-up crossing is still seen once.
CREATE OR REPLACE FUNCTION "credits_deduct_many"(p_wallet text, p_calls jsonb) RETURNS SETOF credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
  c record;
  e credit_transactions;
  v_ids uuid[];
  v_buckets credit_bucket[];
  v_left bigint[];
  v_before bigint[];
  v_need bigint;
  v_take bigint;
  v_from_bonus bigint;
  v_from_purchased bigint;
  v_total_bonus bigint := 0;
  v_total_purchased bigint := 0;
  v_total_used bigint := 0;
  v_refusal jsonb;
BEGIN
  b := credits_lock(p_wallet);
  IF b.wallet_id IS NOT NULL THEN
    -- The wallet's spendable lots in credits_take_lots's order, read once for the whole batch.
    SELECT array_agg(l.id ORDER BY l.bucket = 'purchased', l.expires_at NULLS LAST, l.created_at, l.id),
           array_agg(l.bucket ORDER BY l.bucket = 'purchased', l.expires_at NULLS LAST, l.created_at, l.id),
           array_agg(l.credits_left ORDER BY l.bucket = 'purchased', l.expires_at NULLS LAST, l.created_at, l.id)
      INTO v_ids, v_buckets, v_left
      FROM credit_lots l
     WHERE l.wallet_id = p_wallet AND l.credits_left > 0 AND (l.expires_at IS NULL OR l.expires_at > now());
    v_before := v_left;
  END IF;
  FOR c IN
    SELECT (j.v ->> 'credits')::bigint AS credits, j.v ->> 'reason' AS reason, (j.v ->> 'actorType')::credit_actor_type AS "actorType",
           j.v ->> 'actorId' AS "actorId", j.v ->> 'key' AS key, j.v ->> 'fingerprint' AS fingerprint,
           nullif(j.v -> 'metadata', 'null'::jsonb) AS metadata, j.v ->> 'feature' AS feature, j.v ->> 'member' AS member
      FROM jsonb_array_elements(p_calls) WITH ORDINALITY AS j(v, n)
     ORDER BY j.n
  LOOP
    IF c.credits IS NULL OR c.credits <= 0 THEN
      RAISE EXCEPTION 'credits: credits_deduct_many must deduct a positive number of credits, not %', c.credits USING ERRCODE = '22023';
    END IF;
    IF b.wallet_id IS NULL THEN
      RETURN NEXT credits_outcome_of('no_wallet', NULL, NULL, NULL, NULL);
      CONTINUE;
    END IF;
    IF c.key IS NOT NULL THEN
      SELECT * INTO e FROM credit_transactions t WHERE t.wallet_id = b.wallet_id AND t.idempotency_key = c.key;
      IF FOUND THEN
        RETURN NEXT credits_replay(e, c.fingerprint, b.bonus + b.purchased);
        CONTINUE;
      END IF;
    END IF;
    IF b.bonus + b.purchased < c.credits THEN
      RETURN NEXT credits_outcome_of('insufficient', NULL, b.bonus + b.purchased, NULL, NULL);
      CONTINUE;
    END IF;
    IF c.member IS NOT NULL THEN
      v_refusal := credits_member_charge(b.wallet_id, c.member, c.credits, credits_usage_period());
      IF v_refusal IS NOT NULL THEN
        RETURN NEXT credits_outcome_of(v_refusal ->> 'error', NULL, b.bonus + b.purchased, NULL, v_refusal);
        CONTINUE;
      END IF;
    END IF;
    v_need := c.credits;
    v_from_bonus := 0;
    v_from_purchased := 0;
    FOR i IN 1 .. coalesce(array_length(v_ids, 1), 0) LOOP
      EXIT WHEN v_need = 0;
      CONTINUE WHEN v_left[i] = 0;
      v_take := least(v_left[i], v_need);
      v_left[i] := v_left[i] - v_take;
      v_need := v_need - v_take;
      IF v_buckets[i] = 'bonus' THEN v_from_bonus := v_from_bonus + v_take; ELSE v_from_purchased := v_from_purchased + v_take; END IF;
    END LOOP;
    IF v_need <> 0 THEN
      RAISE EXCEPTION 'credits: the lots of wallet % do not hold its balance', b.wallet_id;
    END IF;
    b.purchased := b.purchased - v_from_purchased;
    b.bonus := b.bonus - v_from_bonus;
    b.used := b.used + c.credits;
    v_total_purchased := v_total_purchased + v_from_purchased;
    v_total_bonus := v_total_bonus + v_from_bonus;
    v_total_used := v_total_used + c.credits;
    INSERT INTO credit_transactions (
      wallet_id, type, purchased_delta, bonus_delta, held_delta, used_delta, purchased_after, bonus_after, held_after, used_after,
      reason, actor_type, actor_id, feature, idempotency_key, request_fingerprint, metadata)
    VALUES (
      p_wallet, 'deduction', -v_from_purchased, -v_from_bonus, 0, c.credits, b.purchased, b.bonus, b.held, b.used,
      c.reason, c."actorType", c."actorId", c.feature, c.key, c.fingerprint, c.metadata)
    RETURNING * INTO e;
    RETURN NEXT credits_outcome_of('ok', e, e.purchased_after + e.bonus_after, NULL, NULL);
  END LOOP;
  IF v_total_used > 0 THEN
    UPDATE credit_lots l SET credits_left = l.credits_left - (u.before - u.now)
      FROM unnest(v_ids, v_left, v_before) AS u(id, now, before)
     WHERE l.id = u.id AND u.now <> u.before;
    UPDATE credit_balances
       SET purchased = purchased - v_total_purchased, bonus = bonus - v_total_bonus, used = used + v_total_used, updated_at = now()
     WHERE wallet_id = p_wallet;
  END IF;
END $$;
