import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type PayoutRunTrigger = 'schedule' | 'admin';
export type PayoutRunStatus = 'running' | 'succeeded' | 'failed';

/** One run of the job that makes payout requests, by the slot (the scheduled moment) it stands for: a slot without a row is a missed run. */
@Entity({ name: 'payout_runs' })
@Check('payout_runs_trigger_check', `trigger IN ('schedule', 'admin')`)
@Check('payout_runs_status_check', `status IN ('running', 'succeeded', 'failed')`)
@Index('payout_runs_slot_idx', ['slot'], { unique: true })
export class PayoutRun {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'timestamptz' })
  slot: Date;

  @Column({ type: 'varchar', length: 16 })
  trigger: PayoutRunTrigger;

  @Column({ type: 'varchar', length: 16 })
  status: PayoutRunStatus;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ name: 'sellers_considered', type: 'int', default: 0 })
  sellersConsidered: number;

  @Column({ name: 'requests_created', type: 'int', default: 0 })
  requestsCreated: number;

  /** Sellers the run could not look at (a Stripe error): counted, named in `error`, the run went on. */
  @Column({ name: 'sellers_failed', type: 'int', default: 0 })
  sellersFailed: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
