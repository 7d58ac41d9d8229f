import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import { ApiErrors } from '../common/error-response.js';
import { ApiPageResponse, mapPage, type Page } from '../common/page.js';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { CreateListingDto } from './dto/create-listing.dto.js';
import { ListListingsQuery } from './dto/list-listings.query.js';
import { ListingResponse, toListingResponse } from './listing.mapper.js';
import { ListingsService } from './listings.service.js';

@ApiTags('listings')
@Controller('listings')
export class ListingsController {
  constructor(private readonly listings: ListingsService) {}

  @Roles('seller')
  @Post()
  @ApiOperation({ summary: 'Create a listing', description: 'Sold by the calling seller, at a unit price in integer minor units.' })
  @ApiAnswer(ListingResponse, 201)
  @ApiErrors({ 400: ['LISTINGS.INVALID_UNIT_AMOUNT', 'LISTINGS.AMOUNT_TOO_LARGE', 'LISTINGS.AMOUNT_GRANULARITY', 'LISTINGS.INVALID_CURRENCY'] })
  async create(@CurrentPrincipal() seller: Principal, @Body() body: CreateListingDto): Promise<ListingResponse> {
    return toListingResponse(await this.listings.create(seller.id, body));
  }

  @Roles('seller')
  @Post(':id/deactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deactivate a listing', description: "The seller's own listing only (another's answers 404). Idempotent." })
  @ApiAnswer(ListingResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async deactivate(@CurrentPrincipal() seller: Principal, @Param('id') id: string): Promise<ListingResponse> {
    return toListingResponse(await this.listings.deactivate(seller, id));
  }

  /** Active listings (any key). */
  @Get()
  @ApiOperation({ summary: 'List active listings', description: 'Newest first, optionally of one seller.' })
  @ApiPageResponse(ListingResponse)
  async list(@Query() query: ListListingsQuery): Promise<Page<ListingResponse>> {
    return mapPage(await this.listings.listActive(query), toListingResponse);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One listing', description: 'An active listing for anyone; an inactive one only for its seller and admins (others: 404).' })
  @ApiAnswer(ListingResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ListingResponse> {
    return toListingResponse(await this.listings.getVisible(principal, id));
  }
}
