import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { NotFoundError } from '../common/domain-error.js';
import { keysetPage, type KeysetOrder, type Page } from '../common/page.js';
import type { PaginationQuery } from '../common/pagination.query.js';
import { ApiKey } from './api-key.entity.js';
import { displayPrefix, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key.util.js';
import { Principal, type PrincipalRole } from './principal.entity.js';
import { PrincipalsService } from './principals.service.js';

export interface IssuedApiKey {
  apiKey: ApiKey;
  /** The only time the key is visible. */
  plaintext: string;
}

const API_KEYS_ORDER: KeysetOrder<ApiKey> = {
  table: 'api_keys',
  idColumn: 'id',
  idIsUuid: true,
  direction: 'ASC',
  keys: (a) => [`${a}.created_at`, `${a}.id`],
  idOf: (k) => k.id,
};

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly principals: PrincipalsService,
  ) {}

  async issue(principalId: string, label?: string | null): Promise<IssuedApiKey> {
    await this.principals.get(principalId);
    const plaintext = generateApiKey();
    const apiKey = await this.keys.save(this.keys.create({ principalId, keyHash: hashApiKey(plaintext), prefix: displayPrefix(plaintext), label: label ?? null, revokedAt: null }));
    return { apiKey, plaintext };
  }

  /** The principal a live key belongs to, or null for an unknown or revoked key. */
  async authenticate(plaintext: string): Promise<Principal | null> {
    if (!isWellFormedApiKey(plaintext)) return null;
    const key = await this.keys.findOne({ where: { keyHash: hashApiKey(plaintext), revokedAt: IsNull() }, relations: { principal: true } });
    return key?.principal ?? null;
  }

  /** The principal's keys, oldest first. */
  async listFor(principalId: string, page: PaginationQuery): Promise<Page<ApiKey>> {
    await this.principals.get(principalId);
    return keysetPage(this.keys.createQueryBuilder('k').where('k.principal_id = :principalId', { principalId }), API_KEYS_ORDER, page);
  }

  /** Every key of every principal with this role, oldest first, with its principal. */
  async listForRole(role: PrincipalRole): Promise<ApiKey[]> {
    return this.keys.find({ where: { principal: { role } }, relations: { principal: true }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Revoking twice is harmless: the first revocation time stands. */
  async revoke(keyId: string): Promise<ApiKey> {
    await this.keys
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('id = :keyId AND revoked_at IS NULL', { keyId })
      .execute();
    const key = await this.keys.findOneBy({ id: keyId });
    if (!key) throw new NotFoundError('API key', keyId);
    return key;
  }
}
