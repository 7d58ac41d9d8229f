import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../identity/auth.decorators.js';
import type { Principal } from '../identity/principal.entity.js';
import { SetFeePolicyDto } from './dto/set-fee-policy.dto.js';
import { FeePolicyResponse, toFeePolicyResponse } from './fee-policy.mapper.js';
import { FeePolicyService } from './fee-policy.service.js';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('admin: fees')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/sellers/:sellerId/fee-policy')
export class FeesAdminController {
  constructor(private readonly fees: FeePolicyService) {}

  /** The policy in force for the seller: their override, or the platform default. */
  @Get()
  async get(@Param('sellerId', uuid) sellerId: string): Promise<FeePolicyResponse> {
    await this.fees.assertSeller(sellerId);
    return toFeePolicyResponse(sellerId, await this.fees.policyFor(sellerId));
  }

  @Put()
  async set(@CurrentPrincipal() admin: Principal, @Param('sellerId', uuid) sellerId: string, @Body() body: SetFeePolicyDto): Promise<FeePolicyResponse> {
    return toFeePolicyResponse(sellerId, await this.fees.setOverride(sellerId, body, admin.id));
  }

  @Delete()
  async remove(@Param('sellerId', uuid) sellerId: string): Promise<FeePolicyResponse> {
    return toFeePolicyResponse(sellerId, await this.fees.removeOverride(sellerId));
  }
}
