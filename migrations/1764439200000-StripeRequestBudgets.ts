import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Stripe request budget shared by every api and worker instance: one row per schedule (the
 * global budget, and each endpoint with its own limit) holding its next free send slot.
 * `stripe_request_budget_take` is the only writer; it is the rule of libs/stripe's `reserveSlot`.
 */
export class StripeRequestBudgets1764439200000 implements MigrationInterface {
  name = 'StripeRequestBudgets1764439200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stripe_request_budgets (
        name text PRIMARY KEY,
        interval_ms double precision NOT NULL CHECK (interval_ms > 0),
        next_slot timestamptz NOT NULL DEFAULT '-infinity',
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Answers the wait from the database's now and that now (epoch ms), so callers place the slot
    // on the database's clock. Locks the endpoint row first, then the global one (always in that order: no deadlock). An
    // endpoint whose next slot is later than the global one refuses and reserves nothing.
    await q.query(`
      CREATE FUNCTION stripe_request_budget_take(p_global text, p_global_ms double precision, p_endpoint text, p_endpoint_ms double precision)
      RETURNS TABLE (granted boolean, wait_ms double precision, now_ms double precision)
      LANGUAGE plpgsql AS $$
      DECLARE
        e timestamptz;
        g timestamptz;
        t timestamptz;
      BEGIN
        IF p_endpoint IS NOT NULL THEN
          INSERT INTO stripe_request_budgets (name, interval_ms) VALUES (p_endpoint, p_endpoint_ms) ON CONFLICT (name) DO NOTHING;
          SELECT b.next_slot INTO e FROM stripe_request_budgets b WHERE b.name = p_endpoint FOR UPDATE;
        END IF;
        INSERT INTO stripe_request_budgets (name, interval_ms) VALUES (p_global, p_global_ms) ON CONFLICT (name) DO NOTHING;
        SELECT b.next_slot INTO g FROM stripe_request_budgets b WHERE b.name = p_global FOR UPDATE;
        t := clock_timestamp();
        g := greatest(g, t);
        IF e IS NOT NULL AND e > g THEN
          -- ask again once the global lane's backlog has passed up to the endpoint's time
          RETURN QUERY SELECT false, extract(epoch FROM e - g)::double precision * 1000, extract(epoch FROM t)::double precision * 1000;
          RETURN;
        END IF;
        UPDATE stripe_request_budgets SET next_slot = g + p_global_ms * interval '1 millisecond', interval_ms = p_global_ms, updated_at = t WHERE name = p_global;
        IF p_endpoint IS NOT NULL THEN
          UPDATE stripe_request_budgets SET next_slot = g + p_endpoint_ms * interval '1 millisecond', interval_ms = p_endpoint_ms, updated_at = t WHERE name = p_endpoint;
        END IF;
        RETURN QUERY SELECT true, extract(epoch FROM g - t)::double precision * 1000, extract(epoch FROM t)::double precision * 1000;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION stripe_request_budget_take(text, double precision, text, double precision)`);
    await q.query(`DROP TABLE stripe_request_budgets`);
  }
}
