import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, IsUrl, IsUUID, Max, MaxLength, ValidateNested } from 'class-validator';

export class CheckoutItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  listingId: string;

  /** Below 1 is refused by the checkout with CHECKOUT.INVALID_QUANTITY (a clear code rather than a field error). */
  @ApiProperty({ minimum: 1, maximum: 10000, example: 1 })
  @IsInt()
  @Max(10_000)
  quantity: number;
}

export class CheckoutDto {
  @ApiProperty({ type: [CheckoutItemDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CheckoutItemDto)
  items: CheckoutItemDto[];

  @ApiPropertyOptional({ example: 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}', description: 'Default: our own page, PUBLIC_URL/checkout/success?session_id={CHECKOUT_SESSION_ID}' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  successUrl?: string;

  @ApiPropertyOptional({ example: 'https://shop.example/cart', description: 'Default: our own page, PUBLIC_URL/checkout/cancel' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  cancelUrl?: string;
}
