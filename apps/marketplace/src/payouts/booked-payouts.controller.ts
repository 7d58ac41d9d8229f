import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { formatMoney, Money } from '@app/money';
import { ApiPageResponse, mapPage, type Page } from '../common/page.js';
import { Roles } from '../identity/auth.decorators.js';
import { ListBookedPayoutsQuery } from './dto/list-booked-payouts.query.js';
import { BookedPayouts, type BookedPayout } from './booked-payouts.service.js';

export class BookedPayoutAttemptResponse {
  @ApiProperty() id: string;
  @ApiProperty() requestId: string;
  @ApiProperty() status: string;
}

export class BookedPayoutResponse {
  @ApiProperty({ description: "Stripe's payout id (po_...)" }) stripePayoutId: string;
  @ApiProperty() sellerId: string;
  @ApiProperty() stripeAccount: string;
  @ApiProperty({ description: 'Minor units as a string, as Stripe reported it' }) amount: string;
  @ApiProperty() currency: string;
  @ApiProperty({ example: 'USD 25.00' }) display: string;
  @ApiProperty({ description: 'When the ledger booked it (from its payout.* event)' }) bookedAt: string;
  @ApiProperty({ description: 'It failed or was canceled and the funds are back on the balance' }) returned: boolean;
  @ApiProperty({ enum: ['request', 'stripe'], description: "request: an approved payout request's attempt; stripe: Stripe's own schedule (automatic mode) or the Dashboard" }) madeBy: string;
  @ApiProperty({ type: BookedPayoutAttemptResponse, nullable: true }) attempt: BookedPayoutAttemptResponse | null;
  @ApiProperty({ description: 'The ledger entry that booked it' }) ledgerEntryId: string;
}

function toBookedPayoutResponse(p: BookedPayout): BookedPayoutResponse {
  return {
    stripePayoutId: p.stripePayoutId,
    sellerId: p.sellerId,
    stripeAccount: p.stripeAccount,
    amount: p.amount.toString(),
    currency: p.currency,
    display: formatMoney(Money.of(p.amount, p.currency)),
    bookedAt: p.bookedAt.toISOString(),
    returned: p.returned,
    madeBy: p.attempt ? 'request' : 'stripe',
    attempt: p.attempt,
    ledgerEntryId: p.entryId,
  };
}

/** Admins: every payout Stripe made from sellers' accounts, requested or not (automatic mode shows them here). */
@ApiTags('payouts')
@Roles('admin')
@Controller('admin/stripe-payouts')
export class BookedPayoutsController {
  constructor(private readonly payouts: BookedPayouts) {}

  @Get()
  @ApiOperation({
    summary: "Payouts Stripe made from sellers' connected accounts, as booked",
    description:
      "Newest first: every payout the ledger booked from Stripe's payout.* events, whether an approved request's attempt made it or Stripe's own schedule (PAYOUT_MODE=automatic) or the Dashboard did, and whether its funds came back (failed, canceled).",
  })
  @ApiPageResponse(BookedPayoutResponse)
  async list(@Query() query: ListBookedPayoutsQuery): Promise<Page<BookedPayoutResponse>> {
    return mapPage(await this.payouts.list(query), toBookedPayoutResponse);
  }
}
