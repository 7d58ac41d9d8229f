import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, IsUrl, IsUUID, Max, MaxLength, ValidateNested } from 'class-validator';

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

  @ApiProperty({ example: 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}' })
  @IsString()
  @MaxLength(2000)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  successUrl: string;

  @ApiProperty({ example: 'https://shop.example/cart' })
  @IsString()
  @MaxLength(2000)
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  cancelUrl: string;
}
