import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The two-person rule counted any principal's approval: a raw SQL row by the seller being paid (or
 * a buyer) made a request approvable and payable. An approval is now refused unless its principal
 * is an admin and not the seller the request pays, besides the rules kept from 1764489600000
 * (never the requester, only while in review).
 */
export class PayoutApprovalsByAdmins1764504000000 implements MigrationInterface {
  name = 'PayoutApprovalsByAdmins1764504000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION payout_approvals_check_rule() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        r payout_requests%ROWTYPE;
        approver_role varchar(16);
      BEGIN
        SELECT * INTO r FROM payout_requests WHERE id = NEW.request_id FOR UPDATE;
        SELECT role INTO approver_role FROM principals WHERE id = NEW.admin_id;
        IF approver_role IS DISTINCT FROM 'admin' OR NEW.admin_id = r.seller_id THEN
          RAISE EXCEPTION 'payout request %: % is not an admin other than the seller paid: only admins approve payouts', r.id, NEW.admin_id USING ERRCODE = 'check_violation';
        END IF;
        IF r.requested_by IS NOT NULL AND r.requested_by = NEW.admin_id THEN
          RAISE EXCEPTION 'payout request % was asked for by %: they cannot approve it', r.id, NEW.admin_id USING ERRCODE = 'check_violation';
        END IF;
        IF r.status <> 'pending_review' THEN
          RAISE EXCEPTION 'payout request % is %: only a request in review takes approvals', r.id, r.status USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION payout_approvals_check_rule() RETURNS trigger LANGUAGE plpgsql AS $$
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
  }
}
