import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import { ApiErrors } from '../common/error-response.js';
import { ApiPageResponse, mapPage, type Page } from '../common/page.js';
import { PaginationQuery } from '../common/pagination.query.js';
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
@Controller()
export class IdentityController {
  constructor(
    private readonly principals: PrincipalsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'The principal the API key belongs to' })
  @ApiAnswer(PrincipalResponse)
  me(@CurrentPrincipal() principal: Principal): PrincipalResponse {
    return toPrincipalResponse(principal);
  }

  @Get('principals/:id')
  @ApiOperation({ summary: 'One principal', description: 'Yourself, or anyone for an admin; any other principal answers 404.' })
  @ApiAnswer(PrincipalResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async get(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<PrincipalResponse> {
    const found = await this.principals.find(id);
    return toPrincipalResponse(ensureVisibleTo(principal, found, (p) => [p.id], 'Principal', id));
  }

  @Roles('admin')
  @Post('admin/principals')
  @ApiOperation({ summary: 'Create a principal (an admin, seller or buyer)', description: 'Then issue it an API key.' })
  @ApiAnswer(PrincipalResponse, 201)
  async create(@Body() body: CreatePrincipalDto): Promise<PrincipalResponse> {
    return toPrincipalResponse(await this.principals.create(body));
  }

  @Roles('admin')
  @Get('admin/principals')
  @ApiOperation({ summary: 'List principals', description: 'Oldest first.' })
  @ApiPageResponse(PrincipalResponse)
  async list(@Query() query: ListPrincipalsQuery): Promise<Page<PrincipalResponse>> {
    return mapPage(await this.principals.list(query), toPrincipalResponse);
  }

  @Roles('admin')
  @Post('admin/principals/:id/api-keys')
  @ApiOperation({ summary: 'Issue an API key to a principal', description: 'The answer is the only time the key itself is shown.' })
  @ApiAnswer(IssuedApiKeyResponse, 201)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async issueKey(@Param('id', uuid) id: string, @Body() body: IssueApiKeyDto): Promise<IssuedApiKeyResponse> {
    const { apiKey, plaintext } = await this.apiKeys.issue(id, body.label);
    return { ...toApiKeyResponse(apiKey), key: plaintext };
  }

  @Roles('admin')
  @Get('admin/principals/:id/api-keys')
  @ApiOperation({ summary: "List a principal's API keys", description: 'Oldest first; revoked keys included. Never the keys themselves.' })
  @ApiPageResponse(ApiKeyResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async listKeys(@Param('id', uuid) id: string, @Query() query: PaginationQuery): Promise<Page<ApiKeyResponse>> {
    return mapPage(await this.apiKeys.listFor(id, query), toApiKeyResponse);
  }

  @Roles('admin')
  @Post('admin/api-keys/:id/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key', description: 'At once and for good; revoking twice is harmless (the first time stands).' })
  @ApiAnswer(ApiKeyResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async revoke(@Param('id', uuid) id: string): Promise<ApiKeyResponse> {
    return toApiKeyResponse(await this.apiKeys.revoke(id));
  }
}
