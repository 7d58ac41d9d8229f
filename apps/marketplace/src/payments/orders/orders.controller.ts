import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RateLimit } from '../../rate-limits/rate-limit.guard.js';
import { ApiAnswer } from '../../common/api-answer.js';
import { ApiErrors } from '../../common/error-response.js';
import { Idempotent, RequestIdempotencyKey } from '../../common/idempotency/idempotent.decorator.js';
import { CurrentPrincipal, Roles } from '../../identity/auth.decorators.js';
import type { Principal } from '../../identity/principal.entity.js';
import { AppConfig } from '../../config/app.config.js';
import { defaultCheckoutReturnUrls } from '../checkout/checkout-result.page.js';
import { CheckoutService } from '../checkout/checkout.service.js';
import { CheckoutDto } from '../checkout/dto/checkout.dto.js';
import { CreateRefundDto } from '../refunds/dto/create-refund.dto.js';
import { CheckoutResponse, OrderResponse, RefundResponse, toCheckoutResponse, toOrderResponse, toRefundResponse } from './orders.mapper.js';
import { OrderReleaseService } from './order-release.service.js';
import { OrdersService } from './orders.service.js';
import { RefundsService } from '../refunds/refunds.service.js';

@ApiTags('orders')
@Controller()
export class OrdersController {
  constructor(
    private readonly checkoutService: CheckoutService,
    private readonly orders: OrdersService,
    private readonly refunds: RefundsService,
    private readonly app: AppConfig,
    private readonly releases: OrderReleaseService,
  ) {}

  /** A buyer checks out a cart: an order and a Stripe Checkout Session to pay it on. */
  @Roles('buyer')
  @Post('checkout')
  @RateLimit('checkout')
  @Idempotent({ intents: 'orders' })
  @ApiOperation({
    summary: 'Check out a cart',
    description: 'Creates the order and a Stripe Checkout Session to pay it on (`checkoutUrl`). One seller: a destination charge; several: one charge and a transfer per seller.',
  })
  @ApiAnswer(CheckoutResponse, 201)
  @ApiErrors({
    400: ['CHECKOUT.EMPTY_CART', 'CHECKOUT.INVALID_QUANTITY'],
    409: ['IDEMPOTENCY.IN_FLIGHT'],
    422: [
      'LISTINGS.NOT_AVAILABLE',
      'CHECKOUT.MIXED_CURRENCIES',
      'CHECKOUT.AMOUNT_TOO_LARGE',
      'CHECKOUT.AMOUNT_TOO_SMALL',
      'CHECKOUT.AMOUNT_GRANULARITY',
      'CHECKOUT.HOLD_NOT_SUPPORTED',
      'CHECKOUT.HOLD_OUT_OF_BOUNDS',
      'SELLER_NOT_ACTIVE',
    ],
    503: ['CHECKOUT.PAYMENT_PROVIDER_FAILED'],
  })
  async checkout(@CurrentPrincipal() buyer: Principal, @Body() body: CheckoutDto, @RequestIdempotencyKey() key: string): Promise<CheckoutResponse> {
    // no URLs from the client: the buyer lands on our own pages (GET /checkout/success, /checkout/cancel)
    const urls = defaultCheckoutReturnUrls(this.app.publicUrl);
    const input = { items: body.items, successUrl: body.successUrl ?? urls.successUrl, cancelUrl: body.cancelUrl ?? urls.cancelUrl, holdDays: body.holdDays };
    return toCheckoutResponse(await this.checkoutService.checkout(buyer, input, key));
  }

  @Get('orders/:id')
  @ApiOperation({
    summary: 'One order, with its refunds, disputes and transfers',
    description:
      "The buyer and admins see all of it; a seller sees their own lines, split and transfers only (not the buyer, nor other sellers' fees, refunds, disputes or transfers). Anyone else: 404.",
  })
  @ApiAnswer(OrderResponse)
  @ApiErrors({ 404: ['NOT_FOUND'] })
  async get(@CurrentPrincipal() viewer: Principal, @Param('id') id: string): Promise<OrderResponse> {
    const { order, refunds, disputes, transfers, transferReversals } = await this.orders.getVisible(viewer, id);
    return toOrderResponse(order, viewer, { refunds, disputes, transfers, transferReversals });
  }

  @Roles('admin', 'seller', 'buyer')
  @Post('orders/:id/release')
  @HttpCode(200)
  @ApiOperation({
    summary: "Release a held order's funds to its sellers",
    description:
      "The buyer confirms receipt, or an admin releases: every seller's held transfer is made now. A seller of the order marks their own part fulfilled: recorded, and that part is released on its own TRANSFERS_AUTO_RELEASE_DAYS later unless the buyer confirms sooner. A repeat changes nothing. Answers the order with its transfers' hold (`hold`). Anyone else's order: 404.",
  })
  @ApiAnswer(OrderResponse)
  @ApiErrors({ 404: ['NOT_FOUND'], 409: ['TRANSFERS.ORDER_NOT_PAID'], 422: ['TRANSFERS.HOLD_NOT_SUPPORTED', 'TRANSFERS.NOT_HELD'] })
  async release(@CurrentPrincipal() viewer: Principal, @Param('id') id: string): Promise<OrderResponse> {
    await this.releases.release(viewer, id);
    return this.get(viewer, id);
  }

  @Roles('admin', 'seller')
  @Post('orders/:id/refunds')
  @RateLimit('refunds')
  @Idempotent({ intents: 'refunds' })
  @ApiOperation({
    summary: 'Refund an order, in part or in full',
    description: "An admin, or the order's seller where sellers may refund. The seller's share comes back by a transfer reversal; the application fee in proportion.",
  })
  @ApiAnswer(RefundResponse, 201)
  @ApiErrors({
    400: ['REFUNDS.AMOUNT_REQUIRED', 'REFUNDS.AMOUNT_AND_FULL', 'REFUNDS.INVALID_AMOUNT'],
    403: ['REFUNDS.FORBIDDEN'],
    404: ['NOT_FOUND'],
    409: ['REFUNDS.IN_PROGRESS', 'IDEMPOTENCY.IN_FLIGHT'],
    422: ['REFUNDS.ORDER_NOT_REFUNDABLE', 'REFUNDS.MULTI_SELLER_NOT_SUPPORTED', 'REFUNDS.AMOUNT_TOO_LARGE', 'REFUNDS.AMOUNT_GRANULARITY', 'IDEMPOTENCY.KEY_REUSED'],
    503: ['REFUNDS.PAYMENT_PROVIDER_FAILED'],
  })
  async refund(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: CreateRefundDto, @RequestIdempotencyKey() key: string): Promise<RefundResponse> {
    return toRefundResponse(await this.refunds.refund(principal, id, body, key));
  }
}
