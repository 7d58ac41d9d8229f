import type { Money } from '@app/money';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { NotFoundError } from '../common/domain-error.js';
import { isUuid } from '../common/ids.js';
import { keysetPage, type KeysetOrder, type Page } from '../common/page.js';
import type { PaginationQuery } from '../common/pagination.query.js';
import { ensureVisibleTo } from '../identity/ownership.js';
import type { Principal } from '../identity/principal.entity.js';
import { assertChargeableUnitAmount, parseListingCurrency, parseUnitAmount } from './listing-input.js';
import { Listing } from './listing.entity.js';
import { ListingsErrors } from './listings.errors.js';

export interface NewListing {
  title: string;
  unitAmount: unknown;
  currency: string;
}

/** What checkout needs of a listing: who sells it and for how much. */
export interface CheckoutListing {
  id: string;
  sellerId: string;
  title: string;
  unitPrice: Money;
}

const LISTINGS_ORDER: KeysetOrder<Listing> = {
  table: 'listings',
  idColumn: 'id',
  idIsUuid: true,
  direction: 'DESC',
  keys: (a) => [`${a}.created_at`, `${a}.id`],
  idOf: (l) => l.id,
};

@Injectable()
export class ListingsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(sellerId: string, input: NewListing): Promise<Listing> {
    const unitAmount = parseUnitAmount(input.unitAmount);
    const currency = parseListingCurrency(input.currency);
    assertChargeableUnitAmount(unitAmount, currency);
    const repo = this.db.getRepository(Listing);
    return repo.save(repo.create({ sellerId, title: input.title, unitAmount, currency, status: 'active', deactivatedAt: null }));
  }

  /** The seller's own listing only (another's answers 404, as if missing). Idempotent. */
  async deactivate(seller: Principal, id: string): Promise<Listing> {
    return this.db.transaction(async (tx) => {
      const found = isUuid(id) ? await tx.findOne(Listing, { where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      const listing = ensureVisibleTo(seller, found, (l) => [l.sellerId], 'Listing', id);
      if (listing.deactivate()) await tx.save(listing);
      return listing;
    });
  }

  /** Active listings, newest first, optionally of one seller. */
  listActive(filter: { sellerId?: string } & PaginationQuery): Promise<Page<Listing>> {
    const q = this.db.getRepository(Listing).createQueryBuilder('l').where('l.status = :status', { status: 'active' });
    if (filter.sellerId) q.andWhere('l.seller_id = :sellerId', { sellerId: filter.sellerId });
    return keysetPage(q, LISTINGS_ORDER, filter);
  }

  /** An active listing for anyone; an inactive one only for its seller and admins (others: 404). */
  async getVisible(principal: Principal, id: string): Promise<Listing> {
    const listing = isUuid(id) ? await this.db.getRepository(Listing).findOneBy({ id }) : null;
    if (listing?.status === 'active') return listing;
    if (!listing) throw new NotFoundError('Listing', id);
    return ensureVisibleTo(principal, listing, (l) => [l.sellerId], 'Listing', id);
  }

  /**
   * For checkout: the listings with these ids, in the order asked (duplicates collapsed), all of
   * them active, else LISTINGS.NOT_AVAILABLE (422) with `details.listingIds` naming the missing or
   * inactive ones. Inside the checkout's transaction (`manager`), the rows are locked FOR SHARE so
   * a concurrent deactivation waits until the order is recorded.
   */
  async getActiveForCheckout(ids: readonly string[], manager?: EntityManager): Promise<CheckoutListing[]> {
    const unique = [...new Set(ids)];
    const valid = unique.filter((id) => isUuid(id));
    const rows = valid.length
      ? await (manager ?? this.db.manager).find(Listing, {
          where: { id: In(valid) },
          ...(manager ? { lock: { mode: 'pessimistic_read' as const } } : {}),
        })
      : [];
    const byId = new Map(rows.map((l) => [l.id, l]));
    const unavailable = unique.filter((id) => byId.get(id)?.status !== 'active');
    if (unavailable.length > 0) throw ListingsErrors.notAvailable(unavailable);
    return unique.map((id) => {
      const l = byId.get(id)!;
      return { id: l.id, sellerId: l.sellerId, title: l.title, unitPrice: l.unitPrice };
    });
  }
}
