-- credits_deduct_across carries the deductions a process has waiting for several wallets in one
-- statement and one commit: the deduction queue's group commit across wallets (deduction-queue.ts).
-- Each wallet's calls go through credits_deduct_many (a single call through credits_deduct), so they
-- are applied in arrival order with the same entries, outcomes, idempotency and caps as one by one.
-- A wallet whose row another transaction holds is not waited for (SKIP LOCKED): its calls answer
-- 'busy', nothing is written for them, and the process sends them again on their own. So the statement never waits on a row lock while holding
-- others, does not deadlock with another such statement over wallets, and one busy wallet never holds
-- up the rest.
CREATE FUNCTION "credits_deduct_across"(p_groups jsonb) RETURNS SETOF credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  g record;
BEGIN
  FOR g IN
    SELECT j.v ->> 'wallet' AS wallet, j.v -> 'calls' AS calls
      FROM jsonb_array_elements(p_groups) WITH ORDINALITY AS j(v, n)
     ORDER BY j.n
  LOOP
    PERFORM 1 FROM credit_balances WHERE wallet_id = g.wallet FOR UPDATE SKIP LOCKED;
    IF NOT FOUND AND EXISTS (SELECT 1 FROM credit_balances WHERE wallet_id = g.wallet) THEN
      RETURN QUERY SELECT o.* FROM jsonb_array_elements(g.calls) AS c(v) CROSS JOIN LATERAL credits_outcome_of('busy', NULL, NULL, NULL, NULL) AS o;
      CONTINUE;
    END IF;
    IF jsonb_array_length(g.calls) = 1 THEN
      -- One call: credits_deduct itself, lighter than the batch machinery (the lock is ours already).
      RETURN QUERY SELECT * FROM credits_deduct(g.wallet, (g.calls -> 0 ->> 'credits')::bigint, g.calls -> 0 ->> 'reason',
        (g.calls -> 0 ->> 'actorType')::credit_actor_type, g.calls -> 0 ->> 'actorId', g.calls -> 0 ->> 'key',
        g.calls -> 0 ->> 'fingerprint', nullif(g.calls -> 0 -> 'metadata', 'null'::jsonb), g.calls -> 0 ->> 'feature',
        g.calls -> 0 ->> 'member');
    ELSE
      RETURN QUERY SELECT * FROM credits_deduct_many(g.wallet, g.calls);
    END IF;
  END LOOP;
END $$;
