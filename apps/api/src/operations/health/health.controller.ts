import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { LivenessResponseDto, ReadinessResponseDto } from './health-response.dto.js';
import { ShutdownDrain } from '../shutdown/shutdown-drain.js';
import { Readiness } from './readiness.js';

/** No authorization: probes and operators call these, and they tell nothing secret. */
@Controller('system/health')
@ApiTags('operations')
export class HealthController {
  constructor(
    private readonly readiness: Readiness,
    private readonly shutdown: ShutdownDrain,
  ) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Readiness: 200 when every dependency answers within 1 s (Redis PING), else 503; 503 at once on SIGTERM' })
  @ApiOkResponse({ type: ReadinessResponseDto, description: 'Every dependency answered.' })
  @ApiServiceUnavailableResponse({ type: ReadinessResponseDto, description: 'A dependency is down (`checks` says which), or the API is shutting down.' })
  async ready(@Res({ passthrough: true }) response: FastifyReply): Promise<ReadinessResponseDto> {
    if (this.shutdown.draining) {
      response.status(503);
      return { status: 'ko', message: 'Not ready: shutting down', checks: {} };
    }
    const report = await this.readiness.report();
    if (report.ready) return { status: 'ok', checks: report.checks };
    response.status(503);
    return { status: 'ko', message: `Not ready: ${report.down.join(', ')} down`, checks: report.checks };
  }

  @Get('live')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP; checks no dependency' })
  @ApiOkResponse({ type: LivenessResponseDto, description: 'The process serves HTTP.' })
  live(): LivenessResponseDto {
    return { status: 'ok' };
  }
}
