import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A refund after several return transfers (a failed refund's, a won dispute's) may take the seller's
 * share back from more than one of them, one reversal at a time: what it has taken so far.
 */
export class ReturnReversedTotal1764396000000 implements MigrationInterface {
  name = 'ReturnReversedTotal1764396000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refunds ADD COLUMN return_reversed_total bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refunds DROP COLUMN return_reversed_total`);
  }
}
