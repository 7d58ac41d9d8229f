import type { AccountSnapshot, AccountsApi, CapabilityStatus } from '@app/stripe';
import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Principal } from '../identity/principal.entity.js';
import { toAccountView, toSellerStatus, type GateView, type SellerStatus } from './seller-status.js';

/** 'api' (our own call), 'return' (the person came back from onboarding) or the Stripe event id. */
export type SyncSource = 'api' | 'return' | (string & {});

/** A seller's connected account and the last state Stripe told us about it. */
@Entity({ name: 'seller_accounts' })
@Check('seller_accounts_status_check', `status IN ('pending', 'restricted', 'active', 'rejected', 'disconnected')`)
@Check('seller_accounts_accounts_api_check', `accounts_api IN ('v1', 'v2')`)
@Index('seller_accounts_status_idx', ['status', 'currentDeadline'])
export class SellerAccount implements GateView {
  /** The principal (role seller) this account belongs to. */
  @PrimaryColumn({ name: 'seller_id', type: 'uuid' })
  sellerId: string;

  @ManyToOne(() => Principal, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'seller_id', foreignKeyConstraintName: 'seller_accounts_seller_id_fkey' })
  seller?: Principal;

  /** Null between our intent (row inserted) and Stripe's answer. */
  @Index('seller_accounts_stripe_account_idx', { unique: true })
  @Column({ name: 'stripe_account_id', type: 'text', nullable: true })
  stripeAccountId: string | null;

  /** The API that made the account (fixed when the row is inserted): it is always read through it. */
  @Column({ name: 'accounts_api', type: 'varchar', length: 2, default: 'v1' })
  accountsApi: AccountsApi;

  @Column({ type: 'varchar', length: 2 })
  country: string;

  @Column({ name: 'business_name', type: 'text', nullable: true })
  businessName: string | null;

  /** The creation request's email and merchant-of-record choice, as first sent (a retry resends them; null on older rows). */
  @Column({ name: 'create_email', type: 'text', nullable: true })
  createEmail: string | null;

  @Column({ name: 'create_merchant_of_record', type: 'boolean', nullable: true })
  createMerchantOfRecord: boolean | null;

  /** Secret part of our refresh/return URLs: only whoever was handed a link can ask for a new one. */
  @Column({ name: 'link_token', type: 'varchar', length: 64 })
  linkToken: string;

  /** Counts links (onboarding, dashboard) handed out; each one's idempotency key derives from it. */
  @Column({ name: 'links_issued', type: 'int', default: 0 })
  linksIssued: number;

  @Column({ type: 'varchar', length: 16 })
  status: SellerStatus;

  @Column({ name: 'charges_enabled', type: 'boolean', default: false })
  chargesEnabled: boolean;

  @Column({ name: 'payouts_enabled', type: 'boolean', default: false })
  payoutsEnabled: boolean;

  @Column({ name: 'details_submitted', type: 'boolean', default: false })
  detailsSubmitted: boolean;

  @Column({ name: 'card_payments_capability', type: 'varchar', length: 16, nullable: true })
  cardPaymentsCapability: CapabilityStatus | null;

  @Column({ name: 'transfers_capability', type: 'varchar', length: 16, nullable: true })
  transfersCapability: CapabilityStatus | null;

  @Column({ name: 'currently_due', type: 'text', array: true })
  currentlyDue: string[];

  @Column({ name: 'eventually_due', type: 'text', array: true })
  eventuallyDue: string[];

  @Column({ name: 'past_due', type: 'text', array: true })
  pastDue: string[];

  @Column({ name: 'pending_verification', type: 'text', array: true })
  pendingVerification: string[];

  @Column({ name: 'current_deadline', type: 'timestamptz', nullable: true })
  currentDeadline: Date | null;

  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason: string | null;

  @Column({ name: 'synced_from', type: 'text', nullable: true })
  syncedFrom: SyncSource | null;

  /** When the stored snapshot was read from Stripe: the monotonic marker; older reads are refused. */
  @Column({ name: 'synced_at', type: 'timestamptz', nullable: true })
  syncedAt: Date | null;

  @Column({ name: 'disconnected_at', type: 'timestamptz', nullable: true })
  disconnectedAt: Date | null;

  /** When the account was put on the manual payout schedule (PAYOUT_MODE=reviewed); null: not yet. */
  @Column({ name: 'payout_schedule_set_at', type: 'timestamptz', nullable: true })
  payoutScheduleSetAt: Date | null;

  /** Calls made to set it; each one's idempotency key derives from it (Stripe replays a key's saved 500 for 24 h). */
  @Column({ name: 'payout_schedule_attempts', type: 'int', default: 0 })
  payoutScheduleAttempts: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  get capabilities(): GateView['capabilities'] {
    return { cardPayments: this.cardPaymentsCapability, transfers: this.transfersCapability };
  }

  /**
   * Takes what Stripe said when it was read at `readAt`. A read older than the stored one is
   * refused (false): an event worked late never rolls the seller back. Disconnected stays.
   */
  sync(account: AccountSnapshot, readAt: Date, from: SyncSource): boolean {
    if (account.id !== this.stripeAccountId) throw new Error(`snapshot of ${account.id} applied to seller account ${this.stripeAccountId}`);
    if ((account.api ?? 'v1') !== this.accountsApi) throw new Error(`a ${account.api ?? 'v1'} snapshot of ${account.id} applied to a ${this.accountsApi} seller account`);
    if (this.syncedAt && readAt.getTime() < this.syncedAt.getTime()) return false;
    const view = toAccountView(account);
    const r = view.requirements;
    this.chargesEnabled = view.chargesEnabled;
    this.payoutsEnabled = view.payoutsEnabled;
    this.detailsSubmitted = view.detailsSubmitted;
    this.cardPaymentsCapability = view.capabilities.cardPayments;
    this.transfersCapability = view.capabilities.transfers;
    this.currentlyDue = [...r.currentlyDue];
    this.eventuallyDue = [...r.eventuallyDue];
    this.pastDue = [...r.pastDue];
    this.pendingVerification = [...r.pendingVerification];
    this.currentDeadline = r.currentDeadline;
    this.disabledReason = r.disabledReason;
    if (view.closed && !this.disconnectedAt) this.disconnectedAt = readAt;
    this.moveTo(toSellerStatus(account, this.disconnectedAt !== null));
    this.syncedFrom = from;
    this.syncedAt = readAt;
    return true;
  }

  /** The account deauthorized the platform (account.application.deauthorized): final. */
  disconnect(at: Date, from: SyncSource): boolean {
    if (this.disconnectedAt) return false;
    this.disconnectedAt = at;
    this.moveTo('disconnected');
    this.syncedFrom = from;
    return true;
  }

  private moveTo(next: SellerStatus): void {
    if (this.status === 'disconnected' && next !== 'disconnected') throw new Error(`seller ${this.sellerId} is disconnected; it cannot become ${next}`);
    this.status = next;
  }
}
