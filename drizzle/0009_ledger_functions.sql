-- The ledger's write path. Every change to credits is one call to one of the public functions below
-- (credits_add, credits_deduct, credits_reverse, credits_hold, credits_settle, credits_release,
-- credits_end_lot, credits_sweep), one round trip, one transaction. Each locks the wallet's balance
-- row first; every later statement inside it takes a fresh snapshot (READ COMMITTED), so it sees
-- everything committed before the lock was granted. The balance row, the wallet's lots and holds and
-- the ledger entries change together, and the invariant credits:verify checks holds after each call:
--   balance row = sum of the wallet's entries; purchased/bonus = credits left in its lots;
--   held = credits of its open holds.
-- Functions answer with a credits_outcome whose status says what happened; typed errors are made
-- from it in TypeScript (src/features/common/payments/service/ledger/).

-- Every user and organisation owns a wallet from the moment it exists.
CREATE FUNCTION "credits_create_wallet"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_wallet text;
BEGIN
  IF TG_TABLE_NAME = 'users' THEN
    v_wallet := 'user:' || NEW.id;
    INSERT INTO wallets (id, kind, user_id) VALUES (v_wallet, 'personal', NEW.id);
  ELSE
    v_wallet := 'org:' || NEW.id;
    INSERT INTO wallets (id, kind, organization_id) VALUES (v_wallet, 'organization', NEW.id);
  END IF;
  INSERT INTO credit_balances (wallet_id) VALUES (v_wallet);
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "users_personal_wallet" AFTER INSERT ON "users" FOR EACH ROW EXECUTE FUNCTION "credits_create_wallet"();--> statement-breakpoint
CREATE TRIGGER "organizations_wallet" AFTER INSERT ON "organizations" FOR EACH ROW EXECUTE FUNCTION "credits_create_wallet"();--> statement-breakpoint

CREATE TYPE "credits_outcome" AS (
  -- ok | replayed | conflict | insufficient | no_wallet | not_member | cap_exceeded
  -- | hold_not_found | hold_closed | over_held | lot_not_found
  status text,
  entry_id bigint,
  entry_type credit_transaction_type,
  created_at timestamptz,
  purchased_delta bigint,
  bonus_delta bigint,
  held_delta bigint,
  used_delta bigint,
  purchased bigint,
  bonus bigint,
  held bigint,
  used bigint,
  -- What the wallet can spend now (after the call).
  available bigint,
  request_fingerprint text,
  hold_id uuid,
  hold_status credit_hold_status,
  hold_credits bigint,
  hold_from_bonus bigint,
  hold_from_purchased bigint,
  hold_settled_credits bigint,
  hold_expires_at timestamptz,
  hold_closed_at timestamptz,
  lot_id uuid,
  -- Facts for the caller's error: a cap and what was used against it, the credits an overage needed …
  detail jsonb
);--> statement-breakpoint

CREATE FUNCTION "credits_outcome_of"(p_status text, e credit_transactions, p_available bigint, h credit_holds, p_detail jsonb)
RETURNS credits_outcome LANGUAGE sql IMMUTABLE AS $$
  SELECT ROW(p_status, e.id, e.type, e.created_at, e.purchased_delta, e.bonus_delta, e.held_delta, e.used_delta,
    e.purchased_after, e.bonus_after, e.held_after, e.used_after, p_available, e.request_fingerprint,
    h.id, h.status, h.credits, h.from_bonus, h.from_purchased, h.settled_credits, h.expires_at, h.closed_at,
    e.lot_id, p_detail)::credits_outcome
$$;--> statement-breakpoint

-- A keyed call whose key is in the ledger already: the first result, or a conflict when the key came
-- with a different request.
CREATE FUNCTION "credits_replay"(e credit_transactions, p_fingerprint text, p_available bigint)
RETURNS credits_outcome LANGUAGE sql IMMUTABLE AS $$
  SELECT credits_outcome_of(CASE WHEN e.request_fingerprint IS NOT DISTINCT FROM p_fingerprint THEN 'replayed' ELSE 'conflict' END,
    e, p_available, NULL, NULL)
$$;--> statement-breakpoint

-- The first day (UTC) of the current month: the period member caps count in.
CREATE FUNCTION "credits_usage_period"() RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
$$;--> statement-breakpoint

-- Changes the locked balance row by the deltas and appends the entry that records it. Internal: the
-- caller holds the row lock and has changed lots and holds to match. `p_next_expiry` lowers the
-- wallet's next-expiry hint when the change brings in credits that expire.
CREATE FUNCTION "credits_apply"(
  p_wallet text, p_type credit_transaction_type,
  p_purchased bigint, p_bonus bigint, p_held bigint, p_used bigint,
  p_reason text, p_actor_type credit_actor_type, p_actor_id text, p_metadata jsonb,
  p_feature text DEFAULT NULL, p_key text DEFAULT NULL, p_fingerprint text DEFAULT NULL,
  p_lot uuid DEFAULT NULL, p_hold uuid DEFAULT NULL, p_next_expiry timestamptz DEFAULT NULL,
  p_session text DEFAULT NULL, p_payment_intent text DEFAULT NULL, p_event text DEFAULT NULL
) RETURNS credit_transactions LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
  e credit_transactions;
BEGIN
  UPDATE credit_balances
     SET purchased = purchased + p_purchased, bonus = bonus + p_bonus, held = held + p_held, used = used + p_used,
         next_expiry_at = least(next_expiry_at, p_next_expiry), updated_at = now()
   WHERE wallet_id = p_wallet
  RETURNING * INTO STRICT b;
  INSERT INTO credit_transactions (
    wallet_id, type, purchased_delta, bonus_delta, held_delta, used_delta, purchased_after, bonus_after, held_after, used_after,
    reason, actor_type, actor_id, feature, idempotency_key, request_fingerprint, lot_id, hold_id,
    stripe_checkout_session_id, stripe_payment_intent_id, stripe_event_id, metadata)
  VALUES (
    p_wallet, p_type, p_purchased, p_bonus, p_held, p_used, b.purchased, b.bonus, b.held, b.used,
    p_reason, p_actor_type, p_actor_id, p_feature, p_key, p_fingerprint, p_lot, p_hold,
    p_session, p_payment_intent, p_event, p_metadata)
  RETURNING * INTO e;
  RETURN e;
END $$;--> statement-breakpoint

-- Takes up to `p_credits` from the wallet's unexpired lots in spending order — `p_first_lot` first if
-- given, then bonus before purchased, soonest-expiring first, never-expiring last, older before newer
-- — and returns what it took from each. Internal: the caller holds the row lock.
CREATE FUNCTION "credits_take_lots"(p_wallet text, p_credits bigint, p_bucket credit_bucket DEFAULT NULL, p_first_lot uuid DEFAULT NULL)
RETURNS TABLE (lot_id uuid, bucket credit_bucket, taken bigint, expires_at timestamptz) LANGUAGE sql AS $$
  WITH ordered AS (
    SELECT l.id, l.bucket, l.credits_left, l.expires_at,
           sum(l.credits_left) OVER (
             ORDER BY l.id IS DISTINCT FROM p_first_lot, l.bucket = 'purchased', l.expires_at NULLS LAST, l.created_at, l.id
           ) AS running
      FROM credit_lots l
     WHERE l.wallet_id = p_wallet AND l.credits_left > 0 AND (l.expires_at IS NULL OR l.expires_at > now())
       AND (p_bucket IS NULL OR l.bucket = p_bucket)
  ), take AS (
    SELECT o.id, o.bucket, o.expires_at, least(o.credits_left, p_credits - (o.running - o.credits_left))::bigint AS taken
      FROM ordered o
     WHERE o.running - o.credits_left < p_credits
  )
  UPDATE credit_lots l SET credits_left = l.credits_left - take.taken
    FROM take
   WHERE l.id = take.id
  RETURNING l.id, take.bucket, take.taken, take.expires_at
$$;--> statement-breakpoint

-- Counts `p_credits` against a member's monthly cap on an organisation's wallet. Returns null when
-- the member may spend them (and they are counted), else why not: not a member, or at the cap.
-- Internal: the caller holds the wallet's row lock, which serialises every change to its usage.
CREATE FUNCTION "credits_member_charge"(p_wallet text, p_user text, p_credits bigint, p_period timestamptz)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  v_member boolean;
  v_cap bigint;
  v_used bigint;
BEGIN
  SELECT true, m.monthly_cap INTO v_member, v_cap
    FROM wallets w JOIN organization_members m ON m.organization_id = w.organization_id
   WHERE w.id = p_wallet AND m.user_id = p_user;
  IF v_member IS NULL THEN
    RETURN jsonb_build_object('error', 'not_member');
  END IF;
  INSERT INTO member_credit_usage AS u (wallet_id, user_id, period, credits)
  SELECT p_wallet, p_user, p_period, p_credits WHERE v_cap IS NULL OR p_credits <= v_cap
  ON CONFLICT (wallet_id, user_id, period) DO UPDATE SET credits = u.credits + excluded.credits
   WHERE v_cap IS NULL OR u.credits + excluded.credits <= v_cap
  RETURNING u.credits INTO v_used;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  SELECT credits INTO v_used FROM member_credit_usage WHERE wallet_id = p_wallet AND user_id = p_user AND period = p_period;
  RETURN jsonb_build_object('error', 'cap_exceeded', 'cap', v_cap, 'used', coalesce(v_used, 0));
END $$;--> statement-breakpoint

-- Ends a lot now: what is left in it goes out in one `expiration` entry, and credits a hold returns
-- to it later lapse too. Internal: the caller holds the row lock and passes the lot as it is now.
CREATE FUNCTION "credits_expire_lot"(p_wallet text, l credit_lots, p_reason text, p_actor_type credit_actor_type, p_actor_id text)
RETURNS credit_transactions LANGUAGE plpgsql AS $$
DECLARE
  e credit_transactions;
BEGIN
  UPDATE credit_lots SET credits_left = 0, expired_at = now(), expires_at = least(expires_at, now()) WHERE id = l.id;
  IF l.credits_left = 0 THEN
    RETURN NULL;
  END IF;
  e := credits_apply(p_wallet, 'expiration',
    CASE WHEN l.bucket = 'purchased' THEN -l.credits_left ELSE 0 END,
    CASE WHEN l.bucket = 'bonus' THEN -l.credits_left ELSE 0 END,
    0, 0, p_reason, p_actor_type, p_actor_id,
    jsonb_build_object('lotId', l.id, 'bucket', l.bucket, 'source', l.source, 'expiresAt', l.expires_at),
    p_lot => l.id);
  RETURN e;
END $$;--> statement-breakpoint

-- Closes an open hold: charges `p_charge` credits, the first min(p_charge, held) from the hold's own
-- credits in spending order (bonus first), returns the rest of each part to the lot it came from,
-- and writes the closing entry. Overage beyond the hold (p_extra_*) was taken from the lots by the
-- caller. Internal: the caller holds the row lock.
CREATE FUNCTION "credits_close_hold"(
  p_wallet text, h credit_holds, p_status credit_hold_status, p_charge bigint, p_extra_bonus bigint, p_extra_purchased bigint,
  p_reason text, p_actor_type credit_actor_type, p_actor_id text, p_metadata jsonb
) RETURNS credit_transactions LANGUAGE plpgsql AS $$
DECLARE
  e credit_transactions;
  v_from_hold bigint := least(p_charge, h.credits);
  v_back_bonus bigint;
  v_back_purchased bigint;
  v_next timestamptz;
BEGIN
  WITH ordered AS (
    SELECT a.lot_id, a.bucket, a.credits, l.expires_at,
           sum(a.credits) OVER (ORDER BY a.bucket = 'purchased', l.expires_at NULLS LAST, l.created_at, l.id) AS running
      FROM credit_hold_lots a JOIN credit_lots l ON l.id = a.lot_id
     WHERE a.hold_id = h.id
  ), back AS (
    SELECT o.lot_id, o.bucket, o.expires_at,
           (o.credits - greatest(0, least(o.credits, v_from_hold - (o.running - o.credits))))::bigint AS returned
      FROM ordered o
  ), updated AS (
    UPDATE credit_lots l SET credits_left = l.credits_left + back.returned
      FROM back
     WHERE l.id = back.lot_id AND back.returned > 0
    RETURNING back.bucket, back.returned, back.expires_at
  )
  SELECT coalesce(sum(u.returned) FILTER (WHERE u.bucket = 'bonus'), 0),
         coalesce(sum(u.returned) FILTER (WHERE u.bucket = 'purchased'), 0),
         min(u.expires_at)
    INTO v_back_bonus, v_back_purchased, v_next
    FROM updated u;

  e := credits_apply(p_wallet,
    CASE p_status WHEN 'settled' THEN 'hold_settled' WHEN 'released' THEN 'hold_released' ELSE 'hold_expired' END::credit_transaction_type,
    v_back_purchased - p_extra_purchased, v_back_bonus - p_extra_bonus, -h.credits, p_charge,
    p_reason, p_actor_type, p_actor_id, p_metadata,
    p_feature => h.feature, p_hold => h.id, p_next_expiry => v_next);
  UPDATE credit_holds
     SET status = p_status, settled_credits = CASE WHEN p_status = 'settled' THEN p_charge END,
         closed_at = now(), closing_transaction_id = e.id
   WHERE id = h.id;
  -- The member's usage counted the whole hold; from now on it counts what was charged of it.
  IF h.usage_period IS NOT NULL AND v_from_hold < h.credits THEN
    UPDATE member_credit_usage SET credits = credits - (h.credits - v_from_hold)
     WHERE wallet_id = p_wallet AND user_id = h.actor_id AND period = h.usage_period;
  END IF;
  RETURN e;
END $$;--> statement-breakpoint

-- Expires the wallet's due holds (their credits go back) and then its due lots (their credits go),
-- one entry each, and recomputes the next-expiry hint. Internal: the caller holds the row lock.
CREATE FUNCTION "credits_sweep_locked"(p_wallet text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  h credit_holds;
  l credit_lots;
  v_count integer := 0;
BEGIN
  FOR h IN SELECT * FROM credit_holds WHERE wallet_id = p_wallet AND status = 'open' AND expires_at <= now() ORDER BY expires_at, id LOOP
    PERFORM credits_close_hold(p_wallet, h, 'expired', 0, 0, 0, 'Hold expired', 'system', NULL, NULL);
    v_count := v_count + 1;
  END LOOP;
  FOR l IN SELECT * FROM credit_lots WHERE wallet_id = p_wallet AND credits_left > 0 AND expires_at <= now() ORDER BY expires_at, created_at, id LOOP
    PERFORM credits_expire_lot(p_wallet, l, 'Credits expired', 'system', NULL);
    v_count := v_count + 1;
  END LOOP;
  UPDATE credit_balances
     SET next_expiry_at = (
       SELECT min(t) FROM (
         SELECT min(expires_at) AS t FROM credit_lots WHERE wallet_id = p_wallet AND credits_left > 0
         UNION ALL
         SELECT min(expires_at) FROM credit_holds WHERE wallet_id = p_wallet AND status = 'open'
       ) due)
   WHERE wallet_id = p_wallet;
  RETURN v_count;
END $$;--> statement-breakpoint

-- Locks the wallet's balance row and, when something of it is due to expire, expires it first, so no
-- caller ever spends an expired credit or counts an expired hold. A null row: no such wallet.
CREATE FUNCTION "credits_lock"(p_wallet text) RETURNS credit_balances LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
BEGIN
  SELECT * INTO b FROM credit_balances WHERE wallet_id = p_wallet FOR UPDATE;
  IF FOUND AND b.next_expiry_at <= now() THEN
    PERFORM credits_sweep_locked(p_wallet);
    SELECT * INTO b FROM credit_balances WHERE wallet_id = p_wallet;
  END IF;
  RETURN b;
END $$;--> statement-breakpoint

-- An outcome that reports the wallet's balances as they are now (`b`, re-read through credits_lock
-- after credits went back to lots that have expired meanwhile, which it sweeps) beside entry `e`.
CREATE FUNCTION "credits_outcome_now"(p_status text, e credit_transactions, h credit_holds, b credit_balances)
RETURNS credits_outcome LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  o credits_outcome;
BEGIN
  o := credits_outcome_of(p_status, e, b.bonus + b.purchased, h, NULL);
  o.purchased := b.purchased;
  o.bonus := b.bonus;
  o.held := b.held;
  o.used := b.used;
  RETURN o;
END $$;--> statement-breakpoint

-- The bonus-first deduction on a locked row (also the step of a batch): refused unless bonus +
-- purchased cover it, and for a member of an organisation unless their cap allows it.
CREATE FUNCTION "credits_deduct_locked"(
  b credit_balances, p_credits bigint, p_reason text, p_actor_type credit_actor_type, p_actor_id text,
  p_key text, p_fingerprint text, p_metadata jsonb, p_feature text, p_member text
) RETURNS credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  e credit_transactions;
  v_from_bonus bigint;
  v_from_purchased bigint;
  v_refusal jsonb;
BEGIN
  IF p_key IS NOT NULL THEN
    SELECT * INTO e FROM credit_transactions WHERE wallet_id = b.wallet_id AND idempotency_key = p_key;
    IF FOUND THEN
      RETURN credits_replay(e, p_fingerprint, b.bonus + b.purchased);
    END IF;
  END IF;
  IF b.bonus + b.purchased < p_credits THEN
    RETURN credits_outcome_of('insufficient', NULL, b.bonus + b.purchased, NULL, NULL);
  END IF;
  IF p_member IS NOT NULL THEN
    v_refusal := credits_member_charge(b.wallet_id, p_member, p_credits, credits_usage_period());
    IF v_refusal IS NOT NULL THEN
      RETURN credits_outcome_of(v_refusal ->> 'error', NULL, b.bonus + b.purchased, NULL, v_refusal);
    END IF;
  END IF;
  SELECT coalesce(sum(t.taken) FILTER (WHERE t.bucket = 'bonus'), 0), coalesce(sum(t.taken) FILTER (WHERE t.bucket = 'purchased'), 0)
    INTO v_from_bonus, v_from_purchased
    FROM credits_take_lots(b.wallet_id, p_credits) t;
  IF v_from_bonus + v_from_purchased <> p_credits THEN
    RAISE EXCEPTION 'credits: the lots of wallet % do not hold its balance', b.wallet_id;
  END IF;
  e := credits_apply(b.wallet_id, 'deduction', -v_from_purchased, -v_from_bonus, 0, p_credits,
    p_reason, p_actor_type, p_actor_id, p_metadata, p_feature, p_key, p_fingerprint);
  RETURN credits_outcome_of('ok', e, e.purchased_after + e.bonus_after, NULL, NULL);
END $$;--> statement-breakpoint

-- Spends `p_credits`, bonus first (see credits_deduct_locked).
CREATE FUNCTION "credits_deduct"(
  p_wallet text, p_credits bigint, p_reason text, p_actor_type credit_actor_type, p_actor_id text,
  p_key text, p_fingerprint text, p_metadata jsonb, p_feature text, p_member text
) RETURNS credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
BEGIN
  IF p_credits IS NULL OR p_credits <= 0 THEN
    RAISE EXCEPTION 'credits: credits_deduct must be a positive number of credits, not %', p_credits USING ERRCODE = '22023';
  END IF;
  b := credits_lock(p_wallet);
  IF b.wallet_id IS NULL THEN
    RETURN credits_outcome_of('no_wallet', NULL, NULL, NULL, NULL);
  END IF;
  RETURN credits_deduct_locked(b, p_credits, p_reason, p_actor_type, p_actor_id, p_key, p_fingerprint, p_metadata, p_feature, p_member);
END $$;--> statement-breakpoint

-- Adds credits to one bucket as a new lot (expiring at `p_expires_at`, or never).
CREATE FUNCTION "credits_add"(
  p_wallet text, p_type credit_transaction_type, p_bucket credit_bucket, p_source credit_lot_source,
  p_credits bigint, p_expires_at timestamptz, p_reason text, p_actor_type credit_actor_type, p_actor_id text,
  p_key text, p_fingerprint text, p_metadata jsonb,
  p_purchase uuid DEFAULT NULL, p_session text DEFAULT NULL, p_payment_intent text DEFAULT NULL, p_event text DEFAULT NULL
) RETURNS credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
  e credit_transactions;
  v_lot uuid;
BEGIN
  IF p_credits IS NULL OR p_credits <= 0 THEN
    RAISE EXCEPTION 'credits: credits_add must be a positive number of credits, not %', p_credits USING ERRCODE = '22023';
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
  INSERT INTO credit_lots (wallet_id, bucket, source, credits_granted, credits_left, expires_at, purchase_id)
  VALUES (p_wallet, p_bucket, p_source, p_credits, p_credits, p_expires_at, p_purchase)
  RETURNING id INTO v_lot;
  e := credits_apply(p_wallet, p_type,
    CASE WHEN p_bucket = 'purchased' THEN p_credits ELSE 0 END, CASE WHEN p_bucket = 'bonus' THEN p_credits ELSE 0 END, 0, 0,
    p_reason, p_actor_type, p_actor_id, p_metadata, NULL, p_key, p_fingerprint, v_lot, NULL, p_expires_at,
    p_session, p_payment_intent, p_event);
  RETURN credits_outcome_of('ok', e, e.purchased_after + e.bonus_after, NULL, NULL);
END $$;--> statement-breakpoint

-- Takes back up to `p_credits` purchased credits (a refund or lost dispute): from the purchase's own
-- lot first, then the other purchased lots in spending order, never below zero. The entry's metadata
-- records `creditsShortfall`, what could not be taken back because it was spent (or is held).
CREATE FUNCTION "credits_reverse"(
  p_wallet text, p_credits bigint, p_purchase uuid, p_reason text, p_actor_type credit_actor_type, p_actor_id text,
  p_metadata jsonb, p_session text DEFAULT NULL, p_payment_intent text DEFAULT NULL, p_event text DEFAULT NULL
) RETURNS credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
  e credit_transactions;
  v_first uuid;
  v_taken bigint;
BEGIN
  IF p_credits IS NULL OR p_credits <= 0 THEN
    RAISE EXCEPTION 'credits: credits_reverse must be a positive number of credits, not %', p_credits USING ERRCODE = '22023';
  END IF;
  b := credits_lock(p_wallet);
  IF b.wallet_id IS NULL THEN
    RETURN credits_outcome_of('no_wallet', NULL, NULL, NULL, NULL);
  END IF;
  SELECT id INTO v_first FROM credit_lots WHERE wallet_id = p_wallet AND purchase_id = p_purchase ORDER BY created_at LIMIT 1;
  SELECT coalesce(sum(t.taken), 0) INTO v_taken FROM credits_take_lots(p_wallet, p_credits, 'purchased', v_first) t;
  e := credits_apply(p_wallet, 'refund', -v_taken, 0, 0, 0, p_reason, p_actor_type, p_actor_id,
    coalesce(p_metadata, '{}'::jsonb) || jsonb_build_object('creditsShortfall', p_credits - v_taken),
    p_session => p_session, p_payment_intent => p_payment_intent, p_event => p_event);
  RETURN credits_outcome_of('ok', e, e.purchased_after + e.bonus_after, NULL, NULL);
END $$;--> statement-breakpoint

-- Reserves `p_credits` (bonus first, from lots in spending order) until `p_expires_at`.
CREATE FUNCTION "credits_hold"(
  p_wallet text, p_credits bigint, p_expires_at timestamptz, p_reason text, p_actor_type credit_actor_type, p_actor_id text,
  p_key text, p_fingerprint text, p_metadata jsonb, p_feature text, p_member text
) RETURNS credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
  e credit_transactions;
  h credit_holds;
  v_refusal jsonb;
  v_period timestamptz;
  v_lots uuid[];
  v_buckets credit_bucket[];
  v_taken bigint[];
  v_bonus bigint;
  v_purchased bigint;
BEGIN
  IF p_credits IS NULL OR p_credits <= 0 THEN
    RAISE EXCEPTION 'credits: credits_hold must be a positive number of credits, not %', p_credits USING ERRCODE = '22023';
  END IF;
  b := credits_lock(p_wallet);
  IF b.wallet_id IS NULL THEN
    RETURN credits_outcome_of('no_wallet', NULL, NULL, NULL, NULL);
  END IF;
  IF p_key IS NOT NULL THEN
    SELECT * INTO h FROM credit_holds WHERE wallet_id = p_wallet AND idempotency_key = p_key;
    IF FOUND THEN
      SELECT * INTO e FROM credit_transactions WHERE hold_id = h.id AND type = 'hold';
      RETURN credits_outcome_of(CASE WHEN h.request_fingerprint IS NOT DISTINCT FROM p_fingerprint THEN 'replayed' ELSE 'conflict' END,
        e, b.bonus + b.purchased, h, NULL);
    END IF;
  END IF;
  IF b.bonus + b.purchased < p_credits THEN
    RETURN credits_outcome_of('insufficient', NULL, b.bonus + b.purchased, NULL, NULL);
  END IF;
  IF p_member IS NOT NULL THEN
    v_period := credits_usage_period();
    v_refusal := credits_member_charge(p_wallet, p_member, p_credits, v_period);
    IF v_refusal IS NOT NULL THEN
      RETURN credits_outcome_of(v_refusal ->> 'error', NULL, b.bonus + b.purchased, NULL, v_refusal);
    END IF;
  END IF;
  SELECT array_agg(t.lot_id), array_agg(t.bucket), array_agg(t.taken) INTO v_lots, v_buckets, v_taken
    FROM credits_take_lots(p_wallet, p_credits) t;
  SELECT coalesce(sum(x.taken) FILTER (WHERE x.bucket = 'bonus'), 0), coalesce(sum(x.taken) FILTER (WHERE x.bucket = 'purchased'), 0)
    INTO v_bonus, v_purchased
    FROM unnest(v_buckets, v_taken) AS x(bucket, taken);
  IF v_bonus + v_purchased <> p_credits THEN
    RAISE EXCEPTION 'credits: the lots of wallet % do not hold its balance', p_wallet;
  END IF;
  INSERT INTO credit_holds (wallet_id, actor_id, credits, from_bonus, from_purchased, reason, feature,
    idempotency_key, request_fingerprint, metadata, usage_period, expires_at)
  VALUES (p_wallet, p_actor_id, p_credits, v_bonus, v_purchased, p_reason, p_feature,
    p_key, p_fingerprint, p_metadata, v_period, p_expires_at)
  RETURNING * INTO h;
  INSERT INTO credit_hold_lots (hold_id, lot_id, wallet_id, bucket, credits)
  SELECT h.id, x.lot_id, p_wallet, x.bucket, x.taken FROM unnest(v_lots, v_buckets, v_taken) AS x(lot_id, bucket, taken);
  e := credits_apply(p_wallet, 'hold', -v_purchased, -v_bonus, p_credits, 0, p_reason, p_actor_type, p_actor_id, p_metadata,
    p_feature => p_feature, p_hold => h.id, p_next_expiry => p_expires_at);
  RETURN credits_outcome_of('ok', e, e.purchased_after + e.bonus_after, h, NULL);
END $$;--> statement-breakpoint

-- The outcome for a settle or release of a hold that is no longer open: the first result when it
-- was closed the same way, else hold_closed with its final state.
CREATE FUNCTION "credits_closed_hold_outcome"(h credit_holds, p_wanted credit_hold_status, p_available bigint)
RETURNS credits_outcome LANGUAGE plpgsql STABLE AS $$
DECLARE
  e credit_transactions;
BEGIN
  SELECT * INTO e FROM credit_transactions WHERE id = h.closing_transaction_id;
  RETURN credits_outcome_of(CASE WHEN h.status = p_wanted THEN 'replayed' ELSE 'hold_closed' END, e, p_available, h, NULL);
END $$;--> statement-breakpoint

-- Charges `p_credits` of an open hold and returns the rest. More than held: only with
-- `p_allow_overage`, charged from available credits if they cover it; otherwise the hold stays open.
CREATE FUNCTION "credits_settle"(
  p_wallet text, p_hold uuid, p_credits bigint, p_allow_overage boolean, p_reason text,
  p_actor_type credit_actor_type, p_actor_id text, p_metadata jsonb
) RETURNS credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
  e credit_transactions;
  h credit_holds;
  v_extra bigint;
  v_extra_bonus bigint := 0;
  v_extra_purchased bigint := 0;
  v_refusal jsonb;
BEGIN
  IF p_credits IS NULL OR p_credits < 0 THEN
    RAISE EXCEPTION 'credits: a settle must charge zero or more credits, not %', p_credits USING ERRCODE = '22023';
  END IF;
  b := credits_lock(p_wallet);
  SELECT * INTO h FROM credit_holds WHERE id = p_hold AND wallet_id = p_wallet;
  IF b.wallet_id IS NULL OR NOT FOUND THEN
    RETURN credits_outcome_of('hold_not_found', NULL, NULL, NULL, NULL);
  END IF;
  IF h.status <> 'open' THEN
    RETURN credits_closed_hold_outcome(h, 'settled', b.bonus + b.purchased);
  END IF;
  v_extra := greatest(p_credits - h.credits, 0);
  IF v_extra > 0 THEN
    IF NOT p_allow_overage THEN
      RETURN credits_outcome_of('over_held', NULL, b.bonus + b.purchased, h, NULL);
    END IF;
    IF b.bonus + b.purchased < v_extra THEN
      RETURN credits_outcome_of('insufficient', NULL, b.bonus + b.purchased, h, jsonb_build_object('required', v_extra));
    END IF;
    IF h.usage_period IS NOT NULL THEN
      v_refusal := credits_member_charge(p_wallet, h.actor_id, v_extra, h.usage_period);
      IF v_refusal IS NOT NULL THEN
        RETURN credits_outcome_of(v_refusal ->> 'error', NULL, b.bonus + b.purchased, h, v_refusal);
      END IF;
    END IF;
    SELECT coalesce(sum(t.taken) FILTER (WHERE t.bucket = 'bonus'), 0), coalesce(sum(t.taken) FILTER (WHERE t.bucket = 'purchased'), 0)
      INTO v_extra_bonus, v_extra_purchased
      FROM credits_take_lots(p_wallet, v_extra) t;
  END IF;
  e := credits_close_hold(p_wallet, h, 'settled', p_credits, v_extra_bonus, v_extra_purchased,
    coalesce(p_reason, h.reason), p_actor_type, p_actor_id, p_metadata);
  SELECT * INTO h FROM credit_holds WHERE id = p_hold;
  RETURN credits_outcome_now('ok', e, h, credits_lock(p_wallet));
END $$;--> statement-breakpoint

-- Returns everything an open hold holds to the lots it came from.
CREATE FUNCTION "credits_release"(
  p_wallet text, p_hold uuid, p_reason text, p_actor_type credit_actor_type, p_actor_id text, p_metadata jsonb
) RETURNS credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
  e credit_transactions;
  h credit_holds;
BEGIN
  b := credits_lock(p_wallet);
  SELECT * INTO h FROM credit_holds WHERE id = p_hold AND wallet_id = p_wallet;
  IF b.wallet_id IS NULL OR NOT FOUND THEN
    RETURN credits_outcome_of('hold_not_found', NULL, NULL, NULL, NULL);
  END IF;
  IF h.status <> 'open' THEN
    RETURN credits_closed_hold_outcome(h, 'released', b.bonus + b.purchased);
  END IF;
  e := credits_close_hold(p_wallet, h, 'released', 0, 0, 0, coalesce(p_reason, 'Hold released'), p_actor_type, p_actor_id, p_metadata);
  SELECT * INTO h FROM credit_holds WHERE id = p_hold;
  RETURN credits_outcome_now('ok', e, h, credits_lock(p_wallet));
END $$;--> statement-breakpoint

-- Ends a lot early (an admin's decision): what is left in it goes out in an `expiration` entry.
CREATE FUNCTION "credits_end_lot"(p_wallet text, p_lot uuid, p_reason text, p_actor_type credit_actor_type, p_actor_id text)
RETURNS credits_outcome LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
  l credit_lots;
  e credit_transactions;
BEGIN
  b := credits_lock(p_wallet);
  SELECT * INTO l FROM credit_lots WHERE id = p_lot AND wallet_id = p_wallet;
  IF b.wallet_id IS NULL OR NOT FOUND THEN
    RETURN credits_outcome_of('lot_not_found', NULL, NULL, NULL, NULL);
  END IF;
  e := credits_expire_lot(p_wallet, l, p_reason, p_actor_type, p_actor_id);
  SELECT * INTO b FROM credit_balances WHERE wallet_id = p_wallet;
  RETURN credits_outcome_of('ok', e, b.bonus + b.purchased, NULL, NULL);
END $$;--> statement-breakpoint

-- Expires whatever of the wallet is due (holds, then lots); returns how many it expired. Safe to
-- run at any time: what is not due is left alone.
CREATE FUNCTION "credits_sweep"(p_wallet text) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  b credit_balances;
BEGIN
  SELECT * INTO b FROM credit_balances WHERE wallet_id = p_wallet FOR UPDATE;
  IF NOT FOUND OR NOT (b.next_expiry_at <= now()) THEN
    RETURN 0;
  END IF;
  RETURN credits_sweep_locked(p_wallet);
END $$;--> statement-breakpoint

-- A wallet's balances as they are now, whether or not the sweep has run: expired lots count for
-- nothing and expired holds are back in their (unexpired) lots. Read-only.
CREATE FUNCTION "credits_read"(p_wallet text)
RETURNS TABLE (purchased bigint, bonus bigint, held bigint, used bigint) LANGUAGE sql STABLE AS $$
  SELECT b.purchased + coalesce(d.purchased, 0), b.bonus + coalesce(d.bonus, 0), b.held - coalesce(d.held, 0), b.used
    FROM credit_balances b
    LEFT JOIN LATERAL (
      SELECT sum(x.purchased)::bigint AS purchased, sum(x.bonus)::bigint AS bonus, sum(x.held)::bigint AS held
        FROM (
          SELECT CASE WHEN a.bucket = 'purchased' AND (l.expires_at IS NULL OR l.expires_at > now()) THEN a.credits ELSE 0 END AS purchased,
                 CASE WHEN a.bucket = 'bonus' AND (l.expires_at IS NULL OR l.expires_at > now()) THEN a.credits ELSE 0 END AS bonus,
                 0 AS held
            FROM credit_holds h JOIN credit_hold_lots a ON a.hold_id = h.id JOIN credit_lots l ON l.id = a.lot_id
           WHERE h.wallet_id = b.wallet_id AND h.status = 'open' AND h.expires_at <= now()
          UNION ALL
          SELECT 0, 0, h.credits FROM credit_holds h WHERE h.wallet_id = b.wallet_id AND h.status = 'open' AND h.expires_at <= now()
          UNION ALL
          SELECT CASE WHEN l.bucket = 'purchased' THEN -l.credits_left ELSE 0 END, CASE WHEN l.bucket = 'bonus' THEN -l.credits_left ELSE 0 END, 0
            FROM credit_lots l WHERE l.wallet_id = b.wallet_id AND l.credits_left > 0 AND l.expires_at <= now()
        ) x
       WHERE b.next_expiry_at <= now()
    ) d ON true
   WHERE b.wallet_id = p_wallet
$$;
