import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';

export class BackfillWebhookEventsDto {
  @ApiProperty({ example: '2026-11-26T00:00:00Z' })
  @IsISO8601()
  from: string;

  @ApiProperty({ example: '2026-11-26T06:00:00Z' })
  @IsISO8601()
  to: string;
}
