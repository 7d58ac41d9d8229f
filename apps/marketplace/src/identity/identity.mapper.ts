import { ApiProperty } from '@nestjs/swagger';
import type { ApiKey } from './api-key.entity.js';
import { PRINCIPAL_ROLES, type Principal, type PrincipalRole } from './principal.entity.js';

export class PrincipalResponse {
  @ApiProperty() id: string;
  @ApiProperty({ enum: PRINCIPAL_ROLES }) role: PrincipalRole;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) email: string | null;
  @ApiProperty() createdAt: string;
}

export class ApiKeyResponse {
  @ApiProperty() id: string;
  @ApiProperty() principalId: string;
  @ApiProperty({ description: 'First characters of the key, to tell keys apart' }) prefix: string;
  @ApiProperty({ nullable: true, type: String }) label: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) revokedAt: string | null;
}

export class IssuedApiKeyResponse extends ApiKeyResponse {
  @ApiProperty({ description: 'The key itself (mkt_...). Shown once: store it now.' }) key: string;
}

export function toPrincipalResponse(p: Principal): PrincipalResponse {
  return { id: p.id, role: p.role, name: p.name, email: p.email, createdAt: p.createdAt.toISOString() };
}

export function toApiKeyResponse(k: ApiKey): ApiKeyResponse {
  return {
    id: k.id,
    principalId: k.principalId,
    prefix: k.prefix,
    label: k.label,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
  };
}
