import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PaginationQuery } from '../../common/pagination.query.js';
import { DISCREPANCY_KINDS, type DiscrepancyKind } from '../discrepancies.js';
import type { DiscrepancyStatus, HealAction } from '../reconciliation-run.js';

export const DISCREPANCY_STATUSES: readonly DiscrepancyStatus[] = ['open', 'healed', 'resolved', 'cleared'];
export const HEAL_ACTIONS: readonly HealAction[] = ['backfill', 'resync', 'correct'];

export class StartReconciliationRunDto {
  @ApiPropertyOptional({ format: 'date-time', description: "The window's start (Stripe's `created`); default RECONCILIATION_FIRST_WINDOW_S before its end" })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: "The window's end (exclusive); default now on Stripe's clock" })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;
}

export class ListDiscrepanciesQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: DISCREPANCY_KINDS })
  @IsOptional()
  @IsIn(DISCREPANCY_KINDS)
  kind?: DiscrepancyKind;

  @ApiPropertyOptional({ enum: DISCREPANCY_STATUSES, description: 'The status the discrepancy has now' })
  @IsOptional()
  @IsIn(DISCREPANCY_STATUSES)
  status?: DiscrepancyStatus;
}

export class ResolveDiscrepancyDto {
  @ApiProperty({ maxLength: 1000, description: 'What was found and done: kept with the discrepancy and in the audit log' })
  @IsString({ message: 'note is required: say what was found and done', context: { code: 'RECONCILIATION.NOTE_REQUIRED' } })
  @Matches(/\S/, { message: 'note is required: say what was found and done', context: { code: 'RECONCILIATION.NOTE_REQUIRED' } })
  @MaxLength(1000)
  note: string;
}

export class HealDiscrepancyDto {
  @ApiPropertyOptional({
    enum: HEAL_ACTIONS,
    description:
      'backfill: fetch the missing events from /v1/events (30 days); resync: re-read the object from Stripe and apply it through its handler; correct: negate the ledger entry booked wrong. Default: the one that fits the kind.',
  })
  @IsOptional()
  @IsIn(HEAL_ACTIONS)
  action?: HealAction;
}
