// Shared by the authorization and input matrices: the routes the server answers (with Nest's auth
// metadata), one marketplace of real resources owned by principal A, a way to fill any route's
// path parameters with A's real ids, and a fingerprint of the database to prove nothing changed.
import type { Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import type { Express } from 'express';
import { randomUUID } from 'node:crypto';
import { IS_PUBLIC, REQUIRED_ROLES } from '../../apps/marketplace/src/identity/auth.decorators.js';
import { bearer, createPrincipal, type PrincipalWithKey } from '../factories/principal.factory.js';
import { type ActiveSeller, createActiveSeller, createListing } from '../factories/seller.factory.js';
import { paidOrder } from './checkout.js';
import { waitFor } from './process.js';
import { finishedRun } from './reconciliation.js';
import type { SqlClient } from './sql.js';
import type { TestApp } from './test-app.js';
import { drainTransferWorkers, fundsAvailable, paidCart } from './transfers.js';

export interface Route {
  method: string;
  /** Express's pattern: `/orders/:id` */
  path: string;
  /** Nest's @Public() and @Roles(); `nest: false` for routes mounted on express ahead of Nest (webhooks). */
  nest: boolean;
  isPublic: boolean;
  roles: string[] | undefined;
}

const REQUEST_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD', 'SEARCH'];
const joinPath = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

/**
 * Every route the HTTP server answers, from express's router stack (so routes mounted ahead of Nest
 * are there too), each with the auth metadata Nest's controllers declare for it.
 */
export function routeTable(t: TestApp): Route[] {
  const declared = new Map<string, { isPublic: boolean; roles: string[] | undefined }>();
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const base = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name] as unknown;
        if (typeof handler !== 'function' || !Reflect.hasMetadata(METHOD_METADATA, handler)) continue;
        const method = REQUEST_METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as number]!;
        const read = <T>(key: string) => (Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller)) as T | undefined;
        for (const b of base)
          for (const p of [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat() as string[])
            declared.set(`${method} ${joinPath(b, p)}`, { isPublic: read<boolean>(IS_PUBLIC) === true, roles: read<string[]>(REQUIRED_ROLES) });
      }
    }
  }
  const server = t.app.getHttpAdapter().getInstance() as Express;
  const stack = (server as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router.stack;
  return stack
    .filter((layer) => layer.route)
    .flatMap((layer) =>
      Object.keys(layer.route!.methods).map((m): Route => {
        const method = m.toUpperCase();
        const meta = declared.get(`${method} ${layer.route!.path}`);
        return { method, path: layer.route!.path, nest: meta !== undefined, isPublic: meta?.isPublic ?? false, roles: meta?.roles };
      }),
    );
}

export const routeName = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** Real resources owned by principal A (seller A, buyer A), and the B principals that must not reach them. */
export interface World {
  sellerA: ActiveSeller;
  buyerA: PrincipalWithKey;
  /** A's partner in a two-seller cart (so A has transfers and transfer reversals). */
  sellerC: ActiveSeller;
  sellerB: PrincipalWithKey;
  buyerB: PrincipalWithKey;
  listing: string;
  hiddenListing: string;
  order: { id: string; chargeId: string; amountTotal: string };
  cart: { id: string };
  transferId: string;
  transferReversalId: string;
  payoutRequestId: string;
  reconciliationRunId: string;
  discrepancyId: string;
  webhookEventId: string;
  ledgerAccountCode: string;
  /** Text that must appear in no answer to a B principal: A's ids, names, Stripe ids, amounts. */
  secrets: string[];
}

// amounts nobody else in the world uses, so they are recognisable in a body
const A_UNIT = 2_417;
const A_QUANTITY = 3; // order total 7251

export async function seedWorld(t: TestApp, sql: SqlClient): Promise<World> {
  const sellerA = await createActiveSeller(t, `Seller A ${randomUUID().slice(0, 8)}`);
  const sellerC = await createActiveSeller(t, `Seller C ${randomUUID().slice(0, 8)}`);
  const sellerB = await createPrincipal(t, 'seller', `Seller B ${randomUUID().slice(0, 8)}`);
  await t.http.post('/sellers/me/connected-account').set(bearer(sellerB.key)).send({ country: 'US' }).expect(201);
  const buyerA = await createPrincipal(t, 'buyer', `Buyer A ${randomUUID().slice(0, 8)}`);
  const buyerB = await createPrincipal(t, 'buyer', `Buyer B ${randomUUID().slice(0, 8)}`);

  const listing = await createListing(t, sellerA, { unitAmount: A_UNIT, title: 'A vase' });
  const hiddenListing = await createListing(t, sellerA, { unitAmount: 3_989, title: 'A secret lamp' });
  await t.http.post(`/listings/${hiddenListing}/deactivate`).set(bearer(sellerA.key)).expect(200);
  const order = (await paidOrder(t, buyerA, listing, A_QUANTITY)) as World['order'];

  const cLamp = await createListing(t, sellerC, { unitAmount: 3_000, title: 'C lamp' });
  const cart = await paidCart(t, buyerA, [
    { listingId: listing, quantity: 1 },
    { listingId: cLamp, quantity: 1 },
  ]);
  await drainTransferWorkers(t);
  await fundsAvailable(t);
  await t.http.post(`/orders/${cart.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: '1000' }).expect(201);
  await fundsAvailable(t);
  const [transfer] = await sql.query<{ id: string }>(`SELECT id FROM transfers WHERE order_id = $1 AND seller_id = $2`, [cart.id, sellerA.id]);
  const [reversal] = await sql.query<{ id: string }>(`SELECT id FROM transfer_reversals WHERE seller_id = $1`, [sellerA.id]);
  if (!transfer || !reversal) throw new Error('seed: no transfer or transfer reversal of seller A');

  const payout = await t.http.post('/sellers/me/payouts').set(bearer(sellerA.key)).set('Idempotency-Key', randomUUID()).send({ amount: 1_500 });
  if (payout.status !== 201) throw new Error(`seed: payout request answered ${payout.status}: ${JSON.stringify(payout.body)}`);

  const run = await t.http.post('/admin/reconciliation/runs').set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({}).expect(201);
  await finishedRun(t, run.body.id);
  // a discrepancy of A's, as a run records one (a clean run finds none to point at)
  const [discrepancy] = await sql.query<{ id: string }>(
    `INSERT INTO reconciliation_discrepancies (found_in_run_id, last_seen_run_id, kind, severity, status, fingerprint, balance, seller_id, currency, stripe_object_id, stripe_amount, ledger_amount, summary)
     VALUES ($1, $1, 'missing_in_ledger', 'high', 'open', $2, $3, $4, 'usd', 'ch_matrix_secret', 6113, 0, 'matrix: a charge of A missing in the ledger') RETURNING id`,
    [run.body.id, `matrix:${randomUUID()}`, sellerA.account, sellerA.id],
  );
  const [event] = await sql.query<{ id: string }>(`SELECT id FROM webhook_events WHERE account = $1 ORDER BY received_at LIMIT 1`, [sellerA.account]);
  // the chart of accounts is shared; A's part of an account is chosen by ?sellerId
  const code = 'seller_payable_available';
  if (!event) throw new Error('seed: no webhook event of seller A');
  // the matrices compare the database before and after: nothing of the seed may still be on its way
  await t.sandbox.control.webhooksIdle();
  await waitFor(async () => ((await sql.query(`SELECT 1 FROM webhook_events WHERE status IN ('pending', 'processing')`)).length === 0 ? true : undefined), 15_000, 'inbox settled');

  const world: Omit<World, 'secrets'> = {
    sellerA,
    buyerA,
    sellerC,
    sellerB,
    buyerB,
    listing,
    hiddenListing,
    order,
    cart,
    transferId: transfer.id,
    transferReversalId: reversal.id,
    payoutRequestId: payout.body.id,
    reconciliationRunId: run.body.id,
    discrepancyId: discrepancy!.id,
    webhookEventId: event.id,
    ledgerAccountCode: code,
  };
  const secrets = [
    buyerA.id,
    buyerA.name,
    buyerA.keyId,
    sellerA.keyId,
    sellerA.account,
    hiddenListing,
    'A secret lamp',
    order.id,
    order.chargeId,
    // the order's total as the API writes it (a bare 7251 could sit inside any uuid)
    '"7251"',
    '72.51',
    cart.id,
    transfer.id,
    reversal.id,
    payout.body.id,
    run.body.id,
    discrepancy!.id,
    event.id,
    'ch_matrix_secret',
  ];
  return { ...world, secrets };
}

/**
 * How to get a real id for each path parameter: keyed by the path up to and including the
 * parameter (`:id` means another resource on every route). A route whose parameter has no entry
 * cannot be called, and the matrices fail naming it.
 */
export const PARAM_IDS: Record<string, (w: World) => string> = {
  '/principals/:id': (w) => w.buyerA.id,
  '/admin/principals/:id': (w) => w.sellerA.id,
  '/admin/api-keys/:id': (w) => w.sellerA.keyId,
  '/admin/sellers/:sellerId': (w) => w.sellerA.id,
  '/sellers/:sellerId': (w) => w.sellerA.id,
  '/orders/:id': (w) => w.order.id,
  '/listings/:id': (w) => w.hiddenListing,
  '/admin/reconciliation/runs/:id': (w) => w.reconciliationRunId,
  '/admin/reconciliation/discrepancies/:id': (w) => w.discrepancyId,
  '/admin/ledger/accounts/:code': (w) => w.ledgerAccountCode,
  '/admin/webhook-events/:id': (w) => w.webhookEventId,
  '/admin/payouts/:id': (w) => w.payoutRequestId,
  '/admin/transfers/:id': (w) => w.transferId,
  '/admin/transfer-reversals/:id': (w) => w.transferReversalId,
};

/** The route's path with A's real ids, or the parameters nothing in PARAM_IDS fills. */
export function fillPath(path: string, w: World, overrides: Record<string, (w: World) => string> = {}): { url: string; missing: string[] } {
  const missing: string[] = [];
  const segments = path.split('/');
  const url = segments
    .map((segment, i) => {
      if (!segment.startsWith(':')) return segment;
      const key = segments.slice(0, i + 1).join('/');
      const id = (overrides[key] ?? PARAM_IDS[key])?.(w);
      if (id === undefined) missing.push(key);
      return encodeURIComponent(id ?? segment);
    })
    .join('/');
  return { url, missing };
}

/**
 * Tables whose rows change while nothing is asked of the app, or on every request by design; each
 * is left out of the fingerprint for the reason given.
 */
export const VOLATILE_TABLES: Record<string, string> = {
  // the request budget's send schedule: every Stripe call of a background loop (availability sweep,
  // payout schedule, reconciliation poll) takes a slot; no request of the matrices calls Stripe
  stripe_request_budgets: 'slots taken by background loops',
  // migrations' own bookkeeping never changes after boot, but it is not the app's data
  migrations: 'TypeORM bookkeeping',
  // the rate limits' counters: every keyed request (and every failed authentication) counts, by design, even when refused
  rate_limit_counters: 'rate-limit counters count every request, refused ones too',
};

/** Row count and an md5 of every row of every table (but VOLATILE_TABLES), by table. */
export async function databaseFingerprint(sql: SqlClient, exclude: Record<string, string> = VOLATILE_TABLES): Promise<Record<string, string>> {
  const tables = (await sql.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`))
    .map((r) => r.name)
    .filter((name) => !(name in exclude));
  const union = tables.map((name) => `SELECT '${name}' AS name, count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS fp FROM "${name}" x`).join(' UNION ALL ');
  const rows = await sql.query<{ name: string; fp: string }>(union);
  return Object.fromEntries(rows.map((r) => [r.name, r.fp]));
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
}
