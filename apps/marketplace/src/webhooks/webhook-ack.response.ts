import { ApiProperty } from '@nestjs/swagger';
import { INBOX_STATUSES } from './webhook-event.entity.js';

/** What the webhook receiver answers Stripe for a verified delivery. */
export class WebhookAckResponse {
  @ApiProperty({ enum: [true] }) received: true;
  @ApiProperty({ description: 'The event id (evt_...)' }) id: string;
  @ApiProperty({ description: 'The event was stored by an earlier delivery: nothing changed' }) duplicate: boolean;
  @ApiProperty({ enum: INBOX_STATUSES, description: "The event's inbox status" }) status: string;
}
