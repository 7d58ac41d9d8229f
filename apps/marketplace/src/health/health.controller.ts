import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiAnswer } from '../common/api-answer.js';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiErrors } from '../common/error-response.js';
import { DomainError } from '../common/domain-error.js';
import { Public } from '../identity/auth.decorators.js';

export class LivenessResponse {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
}

export class ReadinessResponse {
  @ApiProperty({ enum: ['ready'] }) status: 'ready';
  @ApiProperty({ enum: ['ok'] }) database: 'ok';
  @ApiProperty({ enum: ['applied'] }) migrations: 'applied';
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Liveness: the process answers. */
  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiAnswer(LivenessResponse)
  live(): LivenessResponse {
    return { status: 'ok' };
  }

  /** Readiness: the database answers and every migration is applied. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers and every migration is applied' })
  @ApiAnswer(ReadinessResponse)
  @ApiErrors({ 503: ['NOT_READY.DATABASE', 'NOT_READY.MIGRATIONS'] })
  async ready(): Promise<ReadinessResponse> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new DomainError('NOT_READY.DATABASE', 'The database is not reachable', 'unavailable');
    }
    if (await this.dataSource.showMigrations()) {
      throw new DomainError('NOT_READY.MIGRATIONS', 'Database migrations are pending', 'unavailable');
    }
    return { status: 'ready', database: 'ok', migrations: 'applied' };
  }
}
