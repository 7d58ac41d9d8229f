import { formatMoney } from '@app/money';
import { ApiProperty } from '@nestjs/swagger';
import { LISTING_STATUSES, type Listing } from './listing.entity.js';

export class ListingResponse {
  @ApiProperty() id: string;
  @ApiProperty() sellerId: string;
  @ApiProperty() title: string;
  @ApiProperty({ example: '1999', description: 'Integer minor units, as a string' }) unitAmount: string;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: 'USD 19.99' }) display: string;
  @ApiProperty({ enum: LISTING_STATUSES }) status: string;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) deactivatedAt: string | null;
}

export function toListingResponse(l: Listing): ListingResponse {
  return {
    id: l.id,
    sellerId: l.sellerId,
    title: l.title,
    unitAmount: l.unitAmount.toString(),
    currency: l.currency,
    display: formatMoney(l.unitPrice),
    status: l.status,
    createdAt: l.createdAt.toISOString(),
    deactivatedAt: l.deactivatedAt ? l.deactivatedAt.toISOString() : null,
  };
}
