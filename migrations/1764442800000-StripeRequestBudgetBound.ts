import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The shared Stripe schedule holds a bounded backlog, so it can never jam. A slot more than 30 s
 * ahead of the database's now is refused (nothing reserved; ask again once 15 s of the backlog
 * have passed, so callers beyond the bound do not poll the store every interval), so no grant
 * leaves a lane's next_slot more than 30 s + one interval (at most 1.5 s) ahead. A next_slot farther ahead than 60 s is therefore no backlog of ours: the database's clock
 * stepped back, or the row was written by hand or by a bug. It is reset to now instead of making
 * every instance sleep until it.
 */
export class StripeRequestBudgetBound1764442800000 implements MigrationInterface {
  name = 'StripeRequestBudgetBound1764442800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION stripe_request_budget_take(p_global text, p_global_ms double precision, p_endpoint text, p_endpoint_ms double precision)
      RETURNS TABLE (granted boolean, wait_ms double precision, now_ms double precision)
      LANGUAGE plpgsql AS $$
      DECLARE
        e timestamptz;
        g timestamptz;
        t timestamptz;
        max_backlog constant interval := interval '30 seconds';
        impossible constant interval := interval '60 seconds';
      BEGIN
        IF p_endpoint IS NOT NULL THEN
          INSERT INTO stripe_request_budgets (name, interval_ms) VALUES (p_endpoint, p_endpoint_ms) ON CONFLICT (name) DO NOTHING;
          SELECT b.next_slot INTO e FROM stripe_request_budgets b WHERE b.name = p_endpoint FOR UPDATE;
        END IF;
        INSERT INTO stripe_request_budgets (name, interval_ms) VALUES (p_global, p_global_ms) ON CONFLICT (name) DO NOTHING;
        SELECT b.next_slot INTO g FROM stripe_request_budgets b WHERE b.name = p_global FOR UPDATE;
        t := clock_timestamp();
        -- farther ahead than any grant can leave a lane: not a backlog, a clock step or a bug
        IF e IS NOT NULL AND e > t + impossible THEN e := t; END IF;
        IF g > t + impossible THEN g := t; END IF;
        g := greatest(g, t);
        IF e IS NOT NULL AND e > g THEN
          -- ask again once the global lane's backlog has passed up to the endpoint's time
          RETURN QUERY SELECT false, extract(epoch FROM e - g)::double precision * 1000, extract(epoch FROM t)::double precision * 1000;
          RETURN;
        END IF;
        IF g > t + max_backlog THEN
          -- the backlog is full: nothing reserved, ask again once half of it has passed (not at once:
          -- every caller beyond the bound polling each interval would flood the store)
          RETURN QUERY SELECT false, extract(epoch FROM g - (t + max_backlog / 2))::double precision * 1000, extract(epoch FROM t)::double precision * 1000;
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
    await q.query(`
      CREATE OR REPLACE FUNCTION stripe_request_budget_take(p_global text, p_global_ms double precision, p_endpoint text, p_endpoint_ms double precision)
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
}
