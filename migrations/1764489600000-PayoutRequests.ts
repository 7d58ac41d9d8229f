import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reviewed payouts (PAYOUT_MODE=reviewed):
 *  - `payout_requests`: what admins review (seller, currency, amount, why it was made, status and
 *    the words that say why it waits); at most one open request per seller and currency.
 *  - `payout_approvals`: one row per admin and request. The database holds the two-person rule: an
 *    admin approves a request once (primary key), never one they asked for, only while it is in
 *    review; a request becomes `approved`, and an attempt can be made for it, only with as many
 *    distinct approvals as it requires.
 *  - `payout_attempts`: each Stripe payout made for a request, with its own key `payout:<id>`, the
 *    exact Stripe parameters, Stripe's id, status and failure code; one live attempt per request.
 *  - `payout_runs`: each run of the scheduled job that makes requests, by the slot it stands for.
 *  - `audit_log`: every action on a payout (who, when, what, before and after); append-only, as the
 *    ledger is: UPDATE, DELETE and TRUNCATE are refused.
 */
export class PayoutRequests1764489600000 implements MigrationInterface {
  name = 'PayoutRequests1764489600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payout_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slot timestamptz NOT NULL,
        trigger varchar(16) NOT NULL,
        status varchar(16) NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        sellers_considered int NOT NULL DEFAULT 0,
        requests_created int NOT NULL DEFAULT 0,
        error text,
        CONSTRAINT payout_runs_trigger_check CHECK (trigger IN ('schedule', 'admin')),
        CONSTRAINT payout_runs_status_check CHECK (status IN ('running', 'succeeded', 'failed'))
      )`);
    await q.query(`CREATE UNIQUE INDEX payout_runs_slot_idx ON payout_runs (slot)`);

    await q.query(`
      CREATE TABLE payout_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seller_id uuid NOT NULL,
        stripe_account varchar(255) NOT NULL,
        currency char(3) NOT NULL,
        amount bigint NOT NULL,
        origin varchar(16) NOT NULL,
        requested_by uuid,
        run_id uuid,
        reason text NOT NULL,
        status varchar(16) NOT NULL,
        status_code varchar(64),
        status_reason text,
        approvals_required smallint NOT NULL,
        stripe_available bigint,
        ledger_available bigint,
        approved_at timestamptz,
        rejected_by uuid,
        paid_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payout_requests_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id),
        CONSTRAINT payout_requests_requested_by_fkey FOREIGN KEY (requested_by) REFERENCES principals (id),
        CONSTRAINT payout_requests_rejected_by_fkey FOREIGN KEY (rejected_by) REFERENCES principals (id),
        CONSTRAINT payout_requests_run_id_fkey FOREIGN KEY (run_id) REFERENCES payout_runs (id),
        CONSTRAINT payout_requests_amount_check CHECK (amount > 0),
        CONSTRAINT payout_requests_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT payout_requests_origin_check CHECK (origin IN ('schedule', 'seller', 'admin')),
        CONSTRAINT payout_requests_origin_by_check CHECK ((origin = 'schedule') = (requested_by IS NULL) AND (origin = 'schedule') = (run_id IS NOT NULL)),
        CONSTRAINT payout_requests_status_check CHECK (status IN ('held', 'pending_review', 'approved', 'frozen', 'executing', 'paid', 'failed', 'rejected', 'canceled')),
        CONSTRAINT payout_requests_approvals_required_check CHECK (approvals_required IN (1, 2))
      )`);
    // one open request per seller and currency: the next one waits until this one is paid, failed, rejected or canceled
    await q.query(`CREATE UNIQUE INDEX payout_requests_one_open_idx ON payout_requests (seller_id, currency) WHERE status IN ('held', 'pending_review', 'approved', 'frozen', 'executing')`);
    await q.query(`CREATE INDEX payout_requests_status_idx ON payout_requests (status, created_at)`);
    await q.query(`CREATE INDEX payout_requests_seller_idx ON payout_requests (seller_id, created_at)`);

    await q.query(`
      CREATE TABLE payout_approvals (
        request_id uuid NOT NULL,
        admin_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payout_approvals_pkey PRIMARY KEY (request_id, admin_id),
        CONSTRAINT payout_approvals_request_id_fkey FOREIGN KEY (request_id) REFERENCES payout_requests (id),
        CONSTRAINT payout_approvals_admin_id_fkey FOREIGN KEY (admin_id) REFERENCES principals (id)
      )`);

    await q.query(`
      CREATE TABLE payout_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        request_id uuid NOT NULL,
        seller_id uuid NOT NULL,
        stripe_account varchar(255) NOT NULL,
        amount bigint NOT NULL,
        currency char(3) NOT NULL,
        status varchar(16) NOT NULL,
        idempotency_key varchar(255) NOT NULL,
        stripe_params jsonb NOT NULL,
        created_by uuid,
        key_first_sent_at timestamptz,
        submit_attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        waiting_reason text,
        last_error text,
        stripe_payout_id varchar(255),
        stripe_status varchar(32),
        failure_code varchar(64),
        failure_message text,
        arrival_date timestamptz,
        paid_at timestamptz,
        failed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payout_attempts_request_id_fkey FOREIGN KEY (request_id) REFERENCES payout_requests (id),
        CONSTRAINT payout_attempts_seller_id_fkey FOREIGN KEY (seller_id) REFERENCES principals (id),
        CONSTRAINT payout_attempts_created_by_fkey FOREIGN KEY (created_by) REFERENCES principals (id),
        CONSTRAINT payout_attempts_amount_check CHECK (amount > 0),
        CONSTRAINT payout_attempts_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT payout_attempts_key_check CHECK (idempotency_key = 'payout:' || id::text),
        CONSTRAINT payout_attempts_status_check CHECK (status IN ('pending', 'submitting', 'created', 'paid', 'failed', 'canceled')),
        CONSTRAINT payout_attempts_created_check CHECK (status IN ('pending', 'submitting') OR status = 'failed' OR stripe_payout_id IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX payout_attempts_key_idx ON payout_attempts (idempotency_key)`);
    await q.query(`CREATE UNIQUE INDEX payout_attempts_stripe_payout_idx ON payout_attempts (stripe_payout_id) WHERE stripe_payout_id IS NOT NULL`);
    // one live attempt per request: a new one only after the last failed or was canceled
    await q.query(`CREATE UNIQUE INDEX payout_attempts_one_live_idx ON payout_attempts (request_id) WHERE status IN ('pending', 'submitting', 'created', 'paid')`);
    await q.query(`CREATE INDEX payout_attempts_due_idx ON payout_attempts (next_attempt_at) WHERE status IN ('pending', 'submitting')`);

    // the two-person rule, held by the database whatever code writes the rows
    await q.query(`
      CREATE FUNCTION payout_approvals_check_rule() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        r payout_requests%ROWTYPE;
      BEGIN
        SELECT * INTO r FROM payout_requests WHERE id = NEW.request_id FOR UPDATE;
        IF r.requested_by IS NOT NULL AND r.requested_by = NEW.admin_id THEN
          RAISE EXCEPTION 'payout request % was asked for by %: they cannot approve it', r.id, NEW.admin_id USING ERRCODE = 'check_violation';
        END IF;
        IF r.status <> 'pending_review' THEN
          RAISE EXCEPTION 'payout request % is %: only a request in review takes approvals', r.id, r.status USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER payout_approvals_rule BEFORE INSERT ON payout_approvals FOR EACH ROW EXECUTE FUNCTION payout_approvals_check_rule()`);
    await q.query(`
      CREATE FUNCTION payout_approvals_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'payout_approvals are never changed or removed: % is not allowed', TG_OP USING ERRCODE = 'check_violation';
      END $$`);
    await q.query(`CREATE TRIGGER payout_approvals_append_only BEFORE UPDATE OR DELETE ON payout_approvals FOR EACH ROW EXECUTE FUNCTION payout_approvals_reject_change()`);

    await q.query(`
      CREATE FUNCTION payout_requests_check_rule() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        approvals int;
      BEGIN
        IF NEW.amount <> OLD.amount OR NEW.currency <> OLD.currency OR NEW.seller_id <> OLD.seller_id OR NEW.stripe_account <> OLD.stripe_account
           OR NEW.approvals_required <> OLD.approvals_required OR NEW.requested_by IS DISTINCT FROM OLD.requested_by OR NEW.origin <> OLD.origin THEN
          RAISE EXCEPTION 'payout request %: what was asked for and who must approve it never change', OLD.id USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.status = 'approved' AND OLD.status = 'pending_review' THEN
          SELECT count(*) INTO approvals FROM payout_approvals WHERE request_id = NEW.id;
          IF approvals < NEW.approvals_required THEN
            RAISE EXCEPTION 'payout request % has % of the % distinct approvals it needs', NEW.id, approvals, NEW.approvals_required USING ERRCODE = 'check_violation';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER payout_requests_rule BEFORE UPDATE ON payout_requests FOR EACH ROW EXECUTE FUNCTION payout_requests_check_rule()`);

    await q.query(`
      CREATE FUNCTION payout_attempts_check_rule() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        r payout_requests%ROWTYPE;
        approvals int;
      BEGIN
        SELECT * INTO r FROM payout_requests WHERE id = NEW.request_id FOR UPDATE;
        SELECT count(*) INTO approvals FROM payout_approvals WHERE request_id = NEW.request_id;
        IF approvals < r.approvals_required THEN
          RAISE EXCEPTION 'payout request % has % of the % distinct approvals it needs: no payout may be made for it', r.id, approvals, r.approvals_required USING ERRCODE = 'check_violation';
        END IF;
        IF r.status NOT IN ('approved', 'executing', 'failed') THEN
          RAISE EXCEPTION 'payout request % is %: no payout may be made for it', r.id, r.status USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.amount <> r.amount OR NEW.currency <> r.currency OR NEW.seller_id <> r.seller_id OR NEW.stripe_account <> r.stripe_account THEN
          RAISE EXCEPTION 'payout attempt for request % must pay exactly what was approved', r.id USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER payout_attempts_rule BEFORE INSERT ON payout_attempts FOR EACH ROW EXECUTE FUNCTION payout_attempts_check_rule()`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        subject_type varchar(32) NOT NULL,
        subject_id varchar(255) NOT NULL,
        action varchar(64) NOT NULL,
        actor_id uuid,
        actor_role varchar(16) NOT NULL,
        before jsonb,
        after jsonb,
        reason text,
        at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT audit_log_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES principals (id),
        CONSTRAINT audit_log_actor_role_check CHECK (actor_role IN ('admin', 'seller', 'buyer', 'system', 'stripe'))
      )`);
    await q.query(`CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, id)`);
    await q.query(`
      CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'check_violation';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_reject_change()`);
    await q.query(`DROP TABLE payout_attempts`);
    await q.query(`DROP FUNCTION payout_attempts_check_rule()`);
    await q.query(`DROP TABLE payout_approvals`);
    await q.query(`DROP FUNCTION payout_approvals_reject_change()`);
    await q.query(`DROP FUNCTION payout_approvals_check_rule()`);
    await q.query(`DROP TABLE payout_requests`);
    await q.query(`DROP FUNCTION payout_requests_check_rule()`);
    await q.query(`DROP TABLE payout_runs`);
  }
}
