import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsString, Length } from 'class-validator';

export class CreateListingDto {
  @ApiProperty({ example: 'Stoneware mug', maxLength: 200 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiProperty({
    oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+$' }],
    example: '1999',
    description: 'Price of one unit in integer minor units (1999 = USD 19.99; JPY has none, KWD three, ending in 0); 1 to 99999999',
  })
  @IsDefined()
  unitAmount: number | string;

  @ApiProperty({ example: 'USD', description: 'ISO 4217 code (any case; stored upper case)' })
  @IsString()
  currency: string;
}
