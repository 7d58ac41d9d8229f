import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotFoundError } from '../common/domain-error.js';
import { keysetPage, type KeysetOrder, type Page } from '../common/page.js';
import type { PaginationQuery } from '../common/pagination.query.js';
import { Principal, type PrincipalRole } from './principal.entity.js';

export interface NewPrincipal {
  role: PrincipalRole;
  name: string;
  email?: string | null;
}

const PRINCIPALS_ORDER: KeysetOrder<Principal> = {
  table: 'principals',
  idColumn: 'id',
  idIsUuid: true,
  direction: 'ASC',
  keys: (a) => [`${a}.created_at`, `${a}.id`],
  idOf: (p) => p.id,
};

@Injectable()
export class PrincipalsService {
  constructor(@InjectRepository(Principal) private readonly principals: Repository<Principal>) {}

  async create(input: NewPrincipal): Promise<Principal> {
    return this.principals.save(this.principals.create({ role: input.role, name: input.name, email: input.email ?? null }));
  }

  find(id: string): Promise<Principal | null> {
    return this.principals.findOneBy({ id });
  }

  async get(id: string): Promise<Principal> {
    const principal = await this.find(id);
    if (!principal) throw new NotFoundError('Principal', id);
    return principal;
  }

  /** Oldest first. */
  list(filter: { role?: PrincipalRole } & PaginationQuery): Promise<Page<Principal>> {
    const q = this.principals.createQueryBuilder('p');
    if (filter.role) q.andWhere('p.role = :role', { role: filter.role });
    return keysetPage(q, PRINCIPALS_ORDER, filter);
  }

  /** The oldest admin, created on first use: `npm run admin:key` issues keys for it. */
  async firstAdmin(): Promise<Principal> {
    const existing = await this.principals.findOne({ where: { role: 'admin' }, order: { createdAt: 'ASC' } });
    return existing ?? this.create({ role: 'admin', name: 'Platform admin' });
  }
}
