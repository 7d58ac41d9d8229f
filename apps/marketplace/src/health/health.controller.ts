import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error.js';
import { Public } from '../identity/auth.decorators.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Liveness: the process answers. */
  @Get()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers and every migration is applied. */
  @Get('ready')
  async ready(): Promise<{ status: 'ready'; database: 'ok'; migrations: 'applied' }> {
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
