import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { StripeConfig, verifyStripeWebhook, WebhookVerificationError } from '@app/stripe';
import type { Request } from 'express';
import { DomainError } from '../common/domain-error.js';
import { Public } from '../identity/auth.decorators.js';
import type { WebhookEndpoint } from './webhook-event.entity.js';
import { WebhookInboxService } from './webhook-inbox.service.js';

/**
 * Stripe's deliveries: verify the signature on the raw bytes, store by event id, answer at once.
 * A bad delivery is a 400 and stores nothing.
 */
@ApiExcludeController()
@Public()
@Controller('webhooks/stripe')
export class WebhooksController {
  constructor(
    private readonly inbox: WebhookInboxService,
    private readonly stripe: StripeConfig,
  ) {}

  @Post()
  @HttpCode(200)
  platform(@Req() req: RawBodyRequest<Request>, @Headers('stripe-signature') signature?: string) {
    return this.receive('platform', this.stripe.STRIPE_WEBHOOK_SECRETS, req, signature);
  }

  @Post('connect')
  @HttpCode(200)
  connect(@Req() req: RawBodyRequest<Request>, @Headers('stripe-signature') signature?: string) {
    return this.receive('connect', this.stripe.STRIPE_CONNECT_WEBHOOK_SECRETS, req, signature);
  }

  private async receive(endpoint: WebhookEndpoint, secrets: string[], req: RawBodyRequest<Request>, signature: string | undefined) {
    let event;
    try {
      const body = Buffer.isBuffer(req.body) ? req.body : req.rawBody;
      event = verifyStripeWebhook(body, signature, secrets, { livemode: this.stripe.livemode });
    } catch (error) {
      if (error instanceof WebhookVerificationError) throw new DomainError(`WEBHOOK.${error.reason}`, error.message, 'invalid');
      throw error;
    }
    const accepted = await this.inbox.accept(event, endpoint);
    return { received: true, id: accepted.id, duplicate: !accepted.inserted, status: accepted.status };
  }
}
