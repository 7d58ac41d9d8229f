import { Inject, Injectable } from '@nestjs/common';
import { StripeConfig, type StripeEventEnvelope, verifyStripeWebhook, verifyThinEvent, WebhookVerificationError } from '@app/stripe';
import type { Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ROOT_LOGGER } from '../common/logger.js';
import { requestContext } from '../common/request-context.js';
import type { WebhookAckResponse } from './webhook-ack.response.js';
import type { WebhookEndpoint } from './webhook-event.entity.js';
import { WebhookInboxService } from './webhook-inbox.service.js';

const MAX_BODY = 1024 * 1024;

/**
 * Stripe's deliveries, on the hot path: mounted on the HTTP server ahead of Nest's router (see
 * bootstrap.ts), so a delivery costs a body read, an HMAC and one (group-committed) INSERT.
 * Verify the signature on the raw bytes, store by event id, answer at once; a bad delivery is a
 * 400 in the API's error shape and stores nothing.
 */
@Injectable()
export class WebhookReceiver {
  constructor(
    private readonly inbox: WebhookInboxService,
    private readonly stripe: StripeConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  handler(endpoint: WebhookEndpoint) {
    const secrets = { platform: this.stripe.STRIPE_WEBHOOK_SECRETS, connect: this.stripe.STRIPE_CONNECT_WEBHOOK_SECRETS, events: this.stripe.STRIPE_EVENT_DESTINATION_SECRETS }[endpoint];
    return (req: Request, res: Response) => {
      this.receive(endpoint, secrets, req, res).catch((error: unknown) => {
        // not acknowledged: Stripe retries the delivery later
        this.logger.error({ err: error, component: 'webhooks', endpoint }, 'could not store a webhook delivery');
        if (!res.headersSent) send(res, 500, 'INTERNAL', 'An internal error occurred; it has been logged under this request id');
        else res.end();
      });
    };
  }

  private async receive(endpoint: WebhookEndpoint, secrets: string[], req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === null) return send(res, 413, 'WEBHOOK.TOO_LARGE', 'The body is larger than 1 MiB');
    let event: StripeEventEnvelope;
    try {
      const signature = req.headers['stripe-signature'];
      // an event destination sends thin events (v2): the SDK's event-notification parser reads them
      const verify = endpoint === 'events' ? verifyThinEvent : verifyStripeWebhook;
      event = verify(body, Array.isArray(signature) ? signature[0] : signature, secrets, { livemode: this.stripe.livemode });
    } catch (error) {
      if (error instanceof WebhookVerificationError) return send(res, 400, `WEBHOOK.${error.reason}`, error.message);
      throw error;
    }
    const accepted = await this.inbox.accept(event, endpoint);
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    const ack: WebhookAckResponse = { received: true, id: accepted.id, duplicate: !accepted.inserted, status: accepted.status };
    res.end(JSON.stringify(ack));
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, code: string, message: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: { code, message, requestId: requestContext.get()?.requestId ?? '' } }));
}
