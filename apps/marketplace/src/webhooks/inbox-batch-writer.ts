import type { DataSource } from 'typeorm';
import type { InboxStatus, WebhookEndpoint } from './webhook-event.entity.js';

export interface InboxRow {
  id: string;
  endpoint: WebhookEndpoint;
  type: string;
  account: string | null;
  livemode: boolean;
  created: Date;
  apiVersion: string | null;
  objectId: string | null;
  /** The event's JSON text, stored as jsonb without another serialisation. */
  payloadJson: string;
  source: 'webhook' | 'backfill';
  status: InboxStatus;
}

interface Waiting {
  row: InboxRow;
  resolve: (inserted: boolean) => void;
  reject: (error: unknown) => void;
}

const MAX_ROWS = 200;
const COLUMNS = 11;

/**
 * Group commit for the inbox: deliveries that arrive in the same turn of the event loop are
 * written by one multi-row INSERT ... ON CONFLICT (id) DO NOTHING, and each caller learns whether
 * its event was new. No timer, so no added latency: a lone delivery is written at once. Every
 * caller is answered only after its row is committed.
 */
export class InboxBatchWriter {
  private queue: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly db: DataSource) {}

  insert(row: InboxRow): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (this.queue.length >= MAX_ROWS) void this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue.splice(0, MAX_ROWS);
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => void this.flush());
    }
    if (batch.length === 0) return;
    const params: unknown[] = [];
    const tuples = batch.map(({ row }, i) => {
      const b = i * COLUMNS;
      params.push(row.id, row.endpoint, row.type, row.account, row.livemode, row.created, row.apiVersion, row.objectId, row.payloadJson, row.source, row.status);
      const p = (n: number) => `$${b + n}`;
      return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, ${p(9)}::jsonb, ${p(10)}, ${p(11)}::varchar, CASE WHEN ${p(11)}::varchar = 'pending' THEN now() END)`;
    });
    try {
      const rows: Array<{ id: string }> = await this.db.query(
        `INSERT INTO webhook_events (id, endpoint, type, account, livemode, created, api_version, object_id, payload, source, status, next_attempt_at)
         VALUES ${tuples.join(', ')}
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
        params,
      );
      const inserted = new Set(rows.map((r) => r.id));
      // the same event twice in one batch: only the first caller inserted it
      for (const waiting of batch) {
        const won = inserted.delete(waiting.row.id);
        waiting.resolve(won);
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
