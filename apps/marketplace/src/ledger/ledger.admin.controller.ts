import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../identity/auth.decorators.js';
import { CHART_OF_ACCOUNTS, isLedgerAccountCode } from './chart-of-accounts.js';
import { BalanceCheckService } from './balance-check.service.js';
import { BalanceCheckQuery } from './dto/balance-check.query.js';
import { LedgerBalanceQuery } from './dto/ledger-balance.query.js';
import { LedgerEntriesQuery } from './dto/ledger-entries.query.js';
import { LedgerErrors } from './ledger.errors.js';
import {
  BalanceCheckResponse,
  toBalanceCheckResponse,
  LedgerAccountResponse,
  LedgerBalanceResponse,
  LedgerEntryResponse,
  toLedgerAccountResponse,
  toLedgerEntryResponse,
  toMoneyAmountResponse,
} from './ledger.mapper.js';
import { LedgerService } from './ledger.service.js';

@ApiTags('admin: ledger')
@ApiBearerAuth()
@Roles('admin')
@Controller('admin/ledger')
export class LedgerAdminController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly balances: BalanceCheckService,
  ) {}

  /** The ledger's cash of each Stripe balance against GET /v1/balance, per currency: ledger, Stripe, difference. */
  @Get('balance-check')
  async balanceCheck(@Query() query: BalanceCheckQuery): Promise<BalanceCheckResponse> {
    return toBalanceCheckResponse(await this.balances.check({ sellerId: query.sellerId, currency: query.currency }));
  }

  @Get('accounts')
  accounts(): { data: LedgerAccountResponse[] } {
    return { data: CHART_OF_ACCOUNTS.map(toLedgerAccountResponse) };
  }

  @Get('accounts/:code/balance')
  async balance(@Param('code') code: string, @Query() query: LedgerBalanceQuery): Promise<LedgerBalanceResponse> {
    if (!isLedgerAccountCode(code)) throw LedgerErrors.unknownAccount(code);
    const balances = await this.ledger.balance(code, { currency: query.currency, sellerId: query.sellerId });
    const account = CHART_OF_ACCOUNTS.find((a) => a.code === code)!;
    return { account: code, normalSide: account.normalSide, sellerId: query.sellerId ?? null, balances: balances.map(toMoneyAmountResponse) };
  }

  @Get('entries')
  async entries(@Query() query: LedgerEntriesQuery): Promise<{ data: LedgerEntryResponse[] }> {
    return { data: (await this.ledger.entriesByReference(query.referenceType, query.referenceId)).map(toLedgerEntryResponse) };
  }
}
