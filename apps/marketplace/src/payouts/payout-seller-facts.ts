import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { WebhookInboxService } from '../webhooks/webhook-inbox.service.js';

export interface RecentOrder {
  orderId: string;
  status: string;
  amount: bigint;
  currency: string;
  paidAt: Date | null;
  createdAt: Date;
}
export interface RecentRefund {
  refundId: string;
  orderId: string;
  status: string;
  amount: bigint;
  currency: string;
  createdAt: Date;
}
export interface RecentDispute {
  disputeId: string;
  stripeDisputeId: string;
  orderId: string;
  status: string;
  reason: string;
  amount: bigint;
  currency: string;
  open: boolean;
  createdAt: Date;
}

/** A seller's recent orders, refunds and disputes: counts and the last few of each. */
export interface SellerActivity {
  orders: { count: number; recent: RecentOrder[] };
  refunds: { count: number; recent: RecentRefund[] };
  disputes: { count: number; open: number; recent: RecentDispute[]; openList: Array<{ stripeDisputeId: string; status: string }> };
  /** In the rate window: paid orders, and how many of them were refunded (a succeeded refund) or disputed. */
  window: { paidOrders: number; refundedOrders: number; disputedOrders: number };
}

/** A seller's funds still unpaid, oldest first in, per currency: since when the oldest of them are available. */
export interface UnpaidFunds {
  sellerId: string;
  currency: string;
  /** The ledger's connected_cash_available balance (what is available and not paid out). */
  available: bigint;
  oldestAvailableSince: Date;
}

const RECENT = 5;

// a seller's orders: every order they have a share of (order_sellers), destination or multi-seller
const SELLER_ORDERS = `SELECT order_id FROM order_sellers WHERE seller_id = $1`;

/**
 * What the review queue reads about a seller besides the request: recent orders, refunds and
 * disputes, their rates over a window, earlier paid payouts, and the age of the funds not paid out
 * yet (the ledger's connected_cash_available, first in first out by available_on). Read-only SQL.
 */
@Injectable()
export class PayoutSellerFacts {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly inbox: WebhookInboxService,
  ) {}

  /** The latest time Stripe's clock is known to have reached, never earlier than now (as the ledger books availability). */
  async stripeNow(): Promise<Date> {
    const stripeTime = await this.inbox.latestStripeTime();
    return stripeTime && stripeTime.getTime() > Date.now() ? stripeTime : new Date();
  }

  async activity(sellerId: string, windowDays: number): Promise<SellerActivity> {
    const orders: Array<{ id: string; status: string; amount: string; currency: string; paid_at: Date | null; created_at: Date }> = await this.db.query(
      `SELECT o.id, o.status, os.subtotal::text AS amount, o.currency, o.paid_at, o.created_at FROM orders o JOIN order_sellers os ON os.order_id = o.id AND os.seller_id = $1
        ORDER BY o.created_at DESC, o.id DESC LIMIT ${RECENT}`,
      [sellerId],
    );
    const refunds: Array<{ id: string; order_id: string; status: string; amount: string; currency: string; created_at: Date }> = await this.db.query(
      `SELECT id, order_id, status, amount::text AS amount, currency, created_at FROM refunds WHERE order_id IN (${SELLER_ORDERS}) ORDER BY created_at DESC, id DESC LIMIT ${RECENT}`,
      [sellerId],
    );
    const disputes: Array<{ id: string; stripe_dispute_id: string; order_id: string; status: string; reason: string; amount: string; currency: string; open: boolean; created_at: Date }> =
      await this.db.query(
        `SELECT id, stripe_dispute_id, order_id, status, reason, amount::text AS amount, currency, closed_at IS NULL AS open, created_at FROM disputes
          WHERE seller_id = $1 OR order_id IN (${SELLER_ORDERS}) ORDER BY created_at DESC, id DESC`,
        [sellerId],
      );
    const [counts]: Array<{ orders: number; refunds: number; paid: number; refunded: number; disputed: number }> = await this.db.query(
      `SELECT (SELECT count(*)::int FROM order_sellers WHERE seller_id = $1) AS orders,
              (SELECT count(*)::int FROM refunds WHERE order_id IN (${SELLER_ORDERS})) AS refunds,
              count(*)::int AS paid,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id AND r.status = 'succeeded'))::int AS refunded,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM disputes d WHERE d.order_id = o.id))::int AS disputed
         FROM orders o WHERE o.id IN (${SELLER_ORDERS}) AND o.paid_at IS NOT NULL AND o.paid_at >= now() - make_interval(days => $2)`,
      [sellerId, windowDays],
    );
    const open = disputes.filter((d) => d.open);
    return {
      orders: {
        count: counts!.orders,
        recent: orders.map((o) => ({ orderId: o.id, status: o.status, amount: BigInt(o.amount), currency: o.currency, paidAt: o.paid_at, createdAt: o.created_at })),
      },
      refunds: {
        count: counts!.refunds,
        recent: refunds.map((r) => ({ refundId: r.id, orderId: r.order_id, status: r.status, amount: BigInt(r.amount), currency: r.currency, createdAt: r.created_at })),
      },
      disputes: {
        count: disputes.length,
        open: open.length,
        recent: disputes.slice(0, RECENT).map((d) => ({
          disputeId: d.id,
          stripeDisputeId: d.stripe_dispute_id,
          orderId: d.order_id,
          status: d.status,
          reason: d.reason,
          amount: BigInt(d.amount),
          currency: d.currency,
          open: d.open,
          createdAt: d.created_at,
        })),
        openList: open.map((d) => ({ stripeDisputeId: d.stripe_dispute_id, status: d.status })),
      },
      window: { paidOrders: counts!.paid, refundedOrders: counts!.refunded, disputedOrders: counts!.disputed },
    };
  }

  /** The seller's earlier paid payout requests in the currency, other than `except`. */
  async paidPayouts(sellerId: string, currency: string, except: string): Promise<bigint[]> {
    const rows: Array<{ amount: string }> = await this.db.query(
      `SELECT amount::text AS amount FROM payout_requests WHERE seller_id = $1 AND currency = $2 AND status = 'paid' AND id <> $3 ORDER BY created_at DESC LIMIT 100`,
      [sellerId, currency, except],
    );
    return rows.map((r) => BigInt(r.amount));
  }

  /**
   * Since when each seller's oldest unpaid available funds are available, per currency: every
   * movement out of connected_cash_available (payouts, reversals) is taken from the oldest funds
   * first, so the oldest funds left are the first credit whose running total passes what went out.
   * All sellers, or one.
   */
  async unpaidFunds(sellerId?: string): Promise<UnpaidFunds[]> {
    const rows: Array<{ seller_id: string; currency: string; available: string; oldest: Date }> = await this.db.query(
      `WITH lines AS (
         SELECT seller_id, currency, amount, available_on, id FROM ledger_lines
          WHERE account = 'connected_cash_available' AND seller_id IS NOT NULL ${sellerId ? 'AND seller_id = $1' : ''}
       ), spent AS (
         SELECT seller_id, currency, COALESCE(-sum(amount) FILTER (WHERE amount < 0), 0) AS out, sum(amount) AS available FROM lines GROUP BY seller_id, currency
       ), credits AS (
         SELECT seller_id, currency, available_on, sum(amount) OVER (PARTITION BY seller_id, currency ORDER BY available_on NULLS LAST, id) AS running FROM lines WHERE amount > 0
       )
       SELECT c.seller_id, c.currency, s.available::text AS available, min(c.available_on) AS oldest
         FROM credits c JOIN spent s USING (seller_id, currency)
        WHERE c.running > s.out AND s.available > 0 AND c.available_on IS NOT NULL
        GROUP BY c.seller_id, c.currency, s.available
        ORDER BY oldest, c.seller_id, c.currency`,
      sellerId ? [sellerId] : [],
    );
    return rows.map((r) => ({ sellerId: r.seller_id, currency: r.currency, available: BigInt(r.available), oldestAvailableSince: r.oldest }));
  }
}
