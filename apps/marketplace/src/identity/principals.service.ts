import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotFoundError } from '../common/domain-error.js';
import { Principal, type PrincipalRole } from './principal.entity.js';

export interface NewPrincipal {
  role: PrincipalRole;
  name: string;
  email?: string | null;
}

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

  async list(filter: { role?: PrincipalRole; limit: number; offset: number }): Promise<Principal[]> {
    return this.principals.find({
      where: filter.role ? { role: filter.role } : {},
      order: { createdAt: 'ASC', id: 'ASC' },
      take: filter.limit,
      skip: filter.offset,
    });
  }

  /** The oldest admin, created on first use: `npm run admin:key` issues keys for it. */
  async firstAdmin(): Promise<Principal> {
    const existing = await this.principals.findOne({ where: { role: 'admin' }, order: { createdAt: 'ASC' } });
    return existing ?? this.create({ role: 'admin', name: 'Platform admin' });
  }
}
