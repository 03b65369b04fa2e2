-- Deductions for one wallet, many at once: what the in-process queue sends while an earlier
-- deduction for the wallet is in flight. One lock, then each call in arrival order through the same
-- step as credits_deduct (credits_deduct_locked), each accepted only if the running balance covers
-- it, each with its own entry, outcome and idempotency: exactly what the calls one by one would give.
-- `p_calls` is a JSON array of {credits, reason, actorType, actorId, key, fingerprint, metadata, feature, member}.
CREATE FUNCTION "credits_deduct_many"(p_wallet text, p_calls jsonb) RETURNS SETOF credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
  c record;
  o credits_outcome;
BEGIN
  b := credits_lock(p_wallet);
  FOR c IN
    SELECT (e.v ->> 'credits')::bigint AS credits, e.v ->> 'reason' AS reason, (e.v ->> 'actorType')::credit_actor_type AS "actorType",
           e.v ->> 'actorId' AS "actorId", e.v ->> 'key' AS key, e.v ->> 'fingerprint' AS fingerprint,
           nullif(e.v -> 'metadata', 'null'::jsonb) AS metadata, e.v ->> 'feature' AS feature, e.v ->> 'member' AS member
      FROM jsonb_array_elements(p_calls) WITH ORDINALITY AS e(v, n)
     ORDER BY e.n
  LOOP
    IF c.credits IS NULL OR c.credits <= 0 THEN
      RAISE EXCEPTION 'credits: credits_deduct_many must deduct a positive number of credits, not %', c.credits USING ERRCODE = '22023';
    END IF;
    IF b.wallet_id IS NULL THEN
      RETURN NEXT credits_outcome_of('no_wallet', NULL, NULL, NULL, NULL);
      CONTINUE;
    END IF;
    o := credits_deduct_locked(b, c.credits, c.reason, c."actorType", c."actorId", c.key, c.fingerprint, c.metadata, c.feature, c.member);
    RETURN NEXT o;
    IF o.status = 'ok' THEN
      b.purchased := o.purchased;
      b.bonus := o.bonus;
      b.held := o.held;
      b.used := o.used;
    END IF;
  END LOOP;
END $$;
