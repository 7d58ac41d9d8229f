import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { CreateListingDto } from './dto/create-listing.dto.js';
import { ListListingsQuery } from './dto/list-listings.query.js';
import { ListingResponse, toListingResponse } from './listing.mapper.js';
import { ListingsService } from './listings.service.js';

@ApiTags('listings')
@ApiBearerAuth()
@Controller('listings')
export class ListingsController {
  constructor(private readonly listings: ListingsService) {}

  @Roles('seller')
  @Post()
  async create(@CurrentPrincipal() seller: Principal, @Body() body: CreateListingDto): Promise<ListingResponse> {
    return toListingResponse(await this.listings.create(seller.id, body));
  }

  @Roles('seller')
  @Post(':id/deactivate')
  @HttpCode(200)
  async deactivate(@CurrentPrincipal() seller: Principal, @Param('id') id: string): Promise<ListingResponse> {
    return toListingResponse(await this.listings.deactivate(seller, id));
  }

  /** Active listings (any key). */
  @Get()
  async list(@Query() query: ListListingsQuery): Promise<{ data: ListingResponse[] }> {
    return { data: (await this.listings.listActive(query)).map(toListingResponse) };
  }

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ListingResponse> {
    return toListingResponse(await this.listings.getVisible(principal, id));
  }
}
