import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WebhookInbox1764259200000 implements MigrationInterface {
  name = 'WebhookInbox1764259200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_events (
        id text PRIMARY KEY,
        endpoint varchar(16) NOT NULL,
        type text NOT NULL,
        account text,
        livemode boolean NOT NULL,
        created timestamptz NOT NULL,
        api_version text,
        object_id text,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        source varchar(16) NOT NULL DEFAULT 'webhook',
        status varchar(16) NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        lease_token uuid,
        last_error text,
        processed_at timestamptz,
        CONSTRAINT webhook_events_endpoint_check CHECK (endpoint IN ('platform', 'connect')),
        CONSTRAINT webhook_events_status_check CHECK (status IN ('pending', 'processing', 'processed', 'ignored', 'dead', 'quarantined'))
      )`);
    // the worker's claim query: due rows only, so the index stays small
    await q.query(`CREATE INDEX webhook_events_due_idx ON webhook_events (next_attempt_at) WHERE status IN ('pending', 'processing')`);
    await q.query(`CREATE INDEX webhook_events_status_idx ON webhook_events (status, received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_events`);
  }
}
