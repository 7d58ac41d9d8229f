import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `orders.amount_refunded` is what the order's succeeded refunds add up to, checked by the database
 * at COMMIT (deferred constraint triggers on both tables): no code path can move one without the other.
 */
export class OrderRefundedAmountCheck1764388800000 implements MigrationInterface {
  name = 'OrderRefundedAmountCheck1764388800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION orders_assert_amount_refunded(target uuid) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        recorded bigint;
        refunded bigint;
      BEGIN
        SELECT amount_refunded INTO recorded FROM orders WHERE id = target;
        IF recorded IS NULL THEN
          RETURN;
        END IF;
        SELECT coalesce(sum(amount), 0) INTO refunded FROM refunds WHERE order_id = target AND status = 'succeeded';
        IF refunded <> recorded THEN
          RAISE EXCEPTION 'order % has amount_refunded % but its succeeded refunds add up to %', target, recorded, refunded
            USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_amount_refunded_matches_refunds';
        END IF;
      END $$`);
    await q.query(`
      CREATE FUNCTION orders_check_amount_refunded() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM orders_assert_amount_refunded(NEW.id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION refunds_check_order_amount_refunded() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM orders_assert_amount_refunded(NEW.order_id);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER orders_amount_refunded_matches_refunds AFTER INSERT OR UPDATE OF amount_refunded ON orders
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION orders_check_amount_refunded()`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER refunds_match_order_amount_refunded AFTER INSERT OR UPDATE OF status, amount ON refunds
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refunds_check_order_amount_refunded()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER refunds_match_order_amount_refunded ON refunds`);
    await q.query(`DROP TRIGGER orders_amount_refunded_matches_refunds ON orders`);
    await q.query(`DROP FUNCTION refunds_check_order_amount_refunded()`);
    await q.query(`DROP FUNCTION orders_check_amount_refunded()`);
    await q.query(`DROP FUNCTION orders_assert_amount_refunded(uuid)`);
  }
}
