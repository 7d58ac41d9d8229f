import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import { ApiErrors } from '../common/error-response.js';
import { ApiPageResponse, arrayPage, mapPage, type Page } from '../common/page.js';
import { PaginationQuery } from '../common/pagination.query.js';
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
@Roles('admin')
@Controller('admin/ledger')
export class LedgerAdminController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly balances: BalanceCheckService,
  ) {}

  /** The ledger's cash of each Stripe balance against GET /v1/balance, per currency: ledger, Stripe, difference. */
  @Get('balance-check')
  @ApiOperation({
    summary: 'Check the ledger against Stripe balances',
    description: "The ledger's cash of each Stripe balance (the platform's, each seller's connected account) against GET /v1/balance, per currency: ledger, Stripe, difference.",
  })
  @ApiAnswer(BalanceCheckResponse)
  async balanceCheck(@Query() query: BalanceCheckQuery): Promise<BalanceCheckResponse> {
    return toBalanceCheckResponse(await this.balances.check({ sellerId: query.sellerId, currency: query.currency }));
  }

  @Get('accounts')
  @ApiOperation({ summary: 'List the chart of accounts', description: 'In the chart order.' })
  @ApiPageResponse(LedgerAccountResponse)
  accounts(@Query() query: PaginationQuery): Page<LedgerAccountResponse> {
    return mapPage(
      arrayPage(CHART_OF_ACCOUNTS, (a) => a.code, query),
      toLedgerAccountResponse,
    );
  }

  @Get('accounts/:code/balance')
  @ApiOperation({ summary: "A ledger account's balance, per currency", description: "Positive is the balance on the account's normal side." })
  @ApiParam({ name: 'code', example: 'seller_payable_available', description: 'A code of the chart of accounts' })
  @ApiAnswer(LedgerBalanceResponse)
  @ApiErrors({ 400: ['LEDGER.SELLER_NOT_ALLOWED'], 404: ['LEDGER.UNKNOWN_ACCOUNT'] })
  async balance(@Param('code') code: string, @Query() query: LedgerBalanceQuery): Promise<LedgerBalanceResponse> {
    if (!isLedgerAccountCode(code)) throw LedgerErrors.unknownAccount(code);
    const balances = await this.ledger.balance(code, { currency: query.currency, sellerId: query.sellerId });
    const account = CHART_OF_ACCOUNTS.find((a) => a.code === code)!;
    return { account: code, normalSide: account.normalSide, sellerId: query.sellerId ?? null, balances: balances.map(toMoneyAmountResponse) };
  }

  @Get('entries')
  @ApiOperation({ summary: 'List the journal entries of a reference (e.g. an order)', description: 'In the order they were posted, each with its lines.' })
  @ApiPageResponse(LedgerEntryResponse)
  async entries(@Query() query: LedgerEntriesQuery): Promise<Page<LedgerEntryResponse>> {
    return mapPage(await this.ledger.pageEntriesByReference(query.referenceType, query.referenceId, query), toLedgerEntryResponse);
  }
}
