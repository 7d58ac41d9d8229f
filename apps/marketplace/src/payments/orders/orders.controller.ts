import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Idempotent, RequestIdempotencyKey } from '../../common/idempotency/idempotent.decorator.js';
import { CurrentPrincipal, Roles } from '../../identity/auth.decorators.js';
import type { Principal } from '../../identity/principal.entity.js';
import { AppConfig } from '../../config/app.config.js';
import { defaultCheckoutReturnUrls } from '../checkout/checkout-result.page.js';
import { CheckoutService } from '../checkout/checkout.service.js';
import { CheckoutDto } from '../checkout/dto/checkout.dto.js';
import { CreateRefundDto } from '../refunds/dto/create-refund.dto.js';
import { CheckoutResponse, OrderResponse, RefundResponse, toCheckoutResponse, toOrderResponse, toRefundResponse } from './orders.mapper.js';
import { OrdersService } from './orders.service.js';
import { RefundsService } from '../refunds/refunds.service.js';

@ApiTags('orders')
@ApiBearerAuth()
@Controller()
export class OrdersController {
  constructor(
    private readonly checkoutService: CheckoutService,
    private readonly orders: OrdersService,
    private readonly refunds: RefundsService,
    private readonly app: AppConfig,
  ) {}

  /** A buyer checks out a cart: an order and a Stripe Checkout Session to pay it on. */
  @Roles('buyer')
  @Post('checkout')
  @Idempotent({ intents: 'orders' })
  async checkout(@CurrentPrincipal() buyer: Principal, @Body() body: CheckoutDto, @RequestIdempotencyKey() key: string): Promise<CheckoutResponse> {
    // no URLs from the client: the buyer lands on our own pages (GET /checkout/success, /checkout/cancel)
    const urls = defaultCheckoutReturnUrls(this.app.publicUrl);
    const input = { items: body.items, successUrl: body.successUrl ?? urls.successUrl, cancelUrl: body.cancelUrl ?? urls.cancelUrl };
    return toCheckoutResponse(await this.checkoutService.checkout(buyer, input, key));
  }

  @Get('orders/:id')
  async get(@CurrentPrincipal() viewer: Principal, @Param('id') id: string): Promise<OrderResponse> {
    const { order, refunds, disputes } = await this.orders.getVisible(viewer, id);
    return toOrderResponse(order, viewer, { refunds, disputes });
  }

  @Roles('admin', 'seller')
  @Post('orders/:id/refunds')
  @Idempotent({ intents: 'refunds' })
  async refund(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: CreateRefundDto, @RequestIdempotencyKey() key: string): Promise<RefundResponse> {
    return toRefundResponse(await this.refunds.refund(principal, id, body, key));
  }
}
