import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import { ApiErrors } from '../common/error-response.js';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { SetFeePolicyDto } from './dto/set-fee-policy.dto.js';
import { FeePolicyResponse, toFeePolicyResponse } from './fee-policy.mapper.js';
import { FeePolicyService } from './fee-policy.service.js';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('admin: fees')
@Roles('admin')
@Controller('admin/sellers/:sellerId/fee-policy')
export class FeesAdminController {
  constructor(private readonly fees: FeePolicyService) {}

  /** The policy in force for the seller: their override, or the platform default. */
  @Get()
  @ApiOperation({ summary: "Read a seller's fee policy", description: "The policy in force: the seller's override, or the platform default." })
  @ApiAnswer(FeePolicyResponse)
  @ApiErrors({ 404: ['FEES.SELLER_NOT_FOUND'] })
  async get(@Param('sellerId', uuid) sellerId: string): Promise<FeePolicyResponse> {
    await this.fees.assertSeller(sellerId);
    return toFeePolicyResponse(sellerId, await this.fees.policyFor(sellerId));
  }

  @Put()
  @ApiOperation({ summary: "Set a seller's fee override", description: 'Applies to checkouts from now on; orders already made keep their fees.' })
  @ApiAnswer(FeePolicyResponse)
  @ApiErrors({ 400: ['FEES.INVALID_FIXED_AMOUNTS'], 404: ['FEES.SELLER_NOT_FOUND'] })
  async set(@CurrentPrincipal() admin: Principal, @Param('sellerId', uuid) sellerId: string, @Body() body: SetFeePolicyDto): Promise<FeePolicyResponse> {
    return toFeePolicyResponse(sellerId, await this.fees.setOverride(sellerId, body, admin.id));
  }

  @Delete()
  @ApiOperation({ summary: "Remove a seller's fee override", description: 'The seller goes back to the platform default (answered). Removing twice is harmless.' })
  @ApiAnswer(FeePolicyResponse)
  @ApiErrors({ 404: ['FEES.SELLER_NOT_FOUND'] })
  async remove(@Param('sellerId', uuid) sellerId: string): Promise<FeePolicyResponse> {
    return toFeePolicyResponse(sellerId, await this.fees.removeOverride(sellerId));
  }
}
