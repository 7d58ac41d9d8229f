import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeysService } from './api-keys.service.js';
import { CurrentPrincipal, Roles } from './auth.decorators.js';
import { CreatePrincipalDto } from './dto/create-principal.dto.js';
import { IssueApiKeyDto } from './dto/issue-api-key.dto.js';
import { ListPrincipalsQuery } from './dto/list-principals.query.js';
import { ApiKeyResponse, IssuedApiKeyResponse, PrincipalResponse, toApiKeyResponse, toPrincipalResponse } from './identity.mapper.js';
import { ensureVisibleTo } from './ownership.js';
import type { Principal } from './principal.entity.js';
import { PrincipalsService } from './principals.service.js';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('identity')
@ApiBearerAuth()
@Controller()
export class IdentityController {
  constructor(
    private readonly principals: PrincipalsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Get('me')
  me(@CurrentPrincipal() principal: Principal): PrincipalResponse {
    return toPrincipalResponse(principal);
  }

  @Get('principals/:id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<PrincipalResponse> {
    const found = await this.principals.find(id);
    return toPrincipalResponse(ensureVisibleTo(principal, found, (p) => [p.id], 'Principal', id));
  }

  @Roles('admin')
  @Post('admin/principals')
  async create(@Body() body: CreatePrincipalDto): Promise<PrincipalResponse> {
    return toPrincipalResponse(await this.principals.create(body));
  }

  @Roles('admin')
  @Get('admin/principals')
  async list(@Query() query: ListPrincipalsQuery): Promise<{ data: PrincipalResponse[] }> {
    return { data: (await this.principals.list(query)).map(toPrincipalResponse) };
  }

  @Roles('admin')
  @Post('admin/principals/:id/api-keys')
  async issueKey(@Param('id', uuid) id: string, @Body() body: IssueApiKeyDto): Promise<IssuedApiKeyResponse> {
    const { apiKey, plaintext } = await this.apiKeys.issue(id, body.label);
    return { ...toApiKeyResponse(apiKey), key: plaintext };
  }

  @Roles('admin')
  @Get('admin/principals/:id/api-keys')
  async listKeys(@Param('id', uuid) id: string): Promise<{ data: ApiKeyResponse[] }> {
    return { data: (await this.apiKeys.listFor(id)).map(toApiKeyResponse) };
  }

  @Roles('admin')
  @Post('admin/api-keys/:id/revoke')
  @HttpCode(200)
  async revoke(@Param('id', uuid) id: string): Promise<ApiKeyResponse> {
    return toApiKeyResponse(await this.apiKeys.revoke(id));
  }
}
