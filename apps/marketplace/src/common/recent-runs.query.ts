import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_RUN_DAYS = 90;

/** `?days=` of a scheduled job's runs list (its runs and missed slots of the last days). */
export class RecentRunsQuery {
  @ApiPropertyOptional({ type: 'integer', default: 7, minimum: 1, maximum: MAX_RUN_DAYS, description: 'How many days back to list runs and missed slots' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : value))
  @IsInt({ message: `days must be an integer from 1 to ${MAX_RUN_DAYS}` })
  @Min(1, { message: `days must be an integer from 1 to ${MAX_RUN_DAYS}` })
  @Max(MAX_RUN_DAYS, { message: `days must be an integer from 1 to ${MAX_RUN_DAYS}` })
  days: number = 7;
}
