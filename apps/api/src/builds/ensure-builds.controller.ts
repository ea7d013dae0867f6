import { Body, Controller, Get, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBasicAuth, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '#libs/auth';
import { BuilderCatalog } from '#libs/builders';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator.js';
import { OPENWHISK_AUTH } from '../openapi/openwhisk-auth.js';
import { RequestId } from '../http/request-id.js';
import { BuildRequestMetrics } from '../operations/metrics/build-request.metrics.js';
import { BuildCapabilitiesResponseDto, EnsureBuildResponseDto } from './dto/ensure-build-response.dto.js';
import { EnsureBuildDto } from './dto/ensure-build.dto.js';
import { ensureAnswer, ensureStatusCode } from './ensure-build.answer.js';
import { EnsureBuildUseCase } from './ensure-build.use-case.js';

/**
 * The content-addressed API: the client names a builder of the operator's
 * catalog and sends its dependency file; the id is the content's address.
 * Registered before BuildsController, so `capabilities` is not taken for a build id.
 */
@Controller('system/api/v1/build')
@UseGuards(AuthGuard)
@ApiTags('builds')
@ApiBasicAuth(OPENWHISK_AUTH)
@ApiErrorResponses(401, 503)
export class EnsureBuildsController {
  constructor(
    private readonly catalog: BuilderCatalog,
    private readonly ensureBuild: EnsureBuildUseCase,
    private readonly metrics: BuildRequestMetrics,
  ) {}

  @Get('capabilities')
  @ApiOperation({ summary: 'The builders of the catalog that build/ensure accepts' })
  @ApiOkResponse({ type: BuildCapabilitiesResponseDto, description: 'Every builder id with its runtime kind.' })
  capabilities() {
    const builders = this.catalog.list().map(({ id, kind }) => ({ id, kind }));
    return { status: 'ok', message: `${builders.length} builders`, builders };
  }

  @Post('ensure')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Make sure the image of a builder plus a dependency file exists',
    description:
      'The id is the sha256 of the builder, its kind and source, and the file; the image is `<login>:<kind>-<first 20 hex>`. ' +
      '200 when it is already built (also after a restart or lost records: the registry is asked), 202 while queued or running ' +
      '(poll `GET /build/{id}`), 409 when it failed and `retry` is false.',
  })
  @ApiOkResponse({ type: EnsureBuildResponseDto, description: 'Already built: `image` is the pull reference.' })
  @ApiAcceptedResponse({ type: EnsureBuildResponseDto, description: 'Queued or running; `image` is null.' })
  @ApiConflictResponse({ type: EnsureBuildResponseDto, description: 'Failed (`retry: false`), with `reason` and `message`.' })
  @ApiErrorResponses(400, 413, 415, 429)
  async ensure(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: EnsureBuildDto,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    const record = await this.ensureBuild.execute(user, body, requestId);
    if (record.state === 'queued' || record.state === 'running') this.metrics.started(record.kind, record.requestId !== requestId);
    response.status(ensureStatusCode(record));
    return ensureAnswer(record);
  }
}
