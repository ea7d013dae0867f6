import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';

/** No authorization, as Prometheus scrapes it; the figures carry no secrets. */
@Controller('system/metrics')
@ApiTags('operations')
export class MetricsController {
  constructor(private readonly registry: Registry) {}

  @Get()
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Metrics in the Prometheus text format' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' }, description: 'Prometheus text exposition format 0.0.4.' })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
