import { Body, Controller, Delete, Get, HttpCode, Logger, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBasicAuth,
  ApiConflictResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '#libs/auth';
import { BuildLogsRepository, BuildRecord, BuildRecordsRepository, isEnsureId, isFinished, pushReference, reconnectLine, toBuildView } from '#libs/builds';
import { InvalidInputError, NotFoundError } from '#libs/errors';
import { hijack } from '../http/hijacked-reply.js';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator.js';
import { OPENWHISK_AUTH } from '../openapi/openwhisk-auth.js';
import { BuildRequestMetrics } from '../operations/metrics/build-request.metrics.js';
import { ShutdownDrain } from '../operations/shutdown/shutdown-drain.js';
import { BuildLogsResponseDto } from './dto/build-logs-response.dto.js';
import { BuildListResponseDto, BuildStatusResponseDto } from './dto/build-view.dto.js';
import { CleanupBuildsResponseDto } from './dto/cleanup-builds-response.dto.js';
import { CleanupBuildsDto } from './dto/cleanup-builds.dto.js';
import { StartBuildResponseDto } from './dto/start-build-response.dto.js';
import { EnsureBuildResponseDto } from './dto/ensure-build-response.dto.js';
import { StartBuildDto } from './dto/start-build.dto.js';
import { ensureAnswer, ensureStatusCode } from './ensure-build.answer.js';
import { EnsureBuildStatusUseCase } from './ensure-build-status.use-case.js';
import { DEFAULT_PAGE_SIZE, ListBuildsQueryDto } from './dto/list-builds-query.dto.js';
import { CancelBuildUseCase } from './cancel-build.use-case.js';
import { CleanupBuildsUseCase } from './cleanup-builds.use-case.js';
import { OwnBuilds } from './own-builds.js';
import { LogFollowerSlots } from './log-follower.slots.js';
import { StartBuildUseCase } from './start-build.use-case.js';
import { RequestId } from '../http/request-id.js';

const DEFAULT_MAX_AGE_HOURS = 24;
/** More than a log keeps (10,000 lines), so any real offset fits. */
const MAX_LINE_OFFSET = 1_000_000;

/** `from` of the logs endpoint: absent is 0; anything but a whole number in range is a 400. */
function lineOffset(value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d{1,7}$/.test(value) || Number(value) > MAX_LINE_OFFSET) {
    throw new InvalidInputError(`from must be a whole number of lines between 0 and ${MAX_LINE_OFFSET}`);
  }
  return Number(value);
}

@Controller('system/api/v1/build')
@UseGuards(AuthGuard)
@ApiTags('builds')
@ApiBasicAuth(OPENWHISK_AUTH)
@ApiErrorResponses(401, 503)
export class BuildsController {
  private readonly logger = new Logger(BuildsController.name);

  constructor(
    private readonly startBuild: StartBuildUseCase,
    private readonly records: BuildRecordsRepository,
    private readonly logs: BuildLogsRepository,
    private readonly metrics: BuildRequestMetrics,
    private readonly cleanupBuilds: CleanupBuildsUseCase,
    private readonly cancelBuild: CancelBuildUseCase,
    private readonly ensureStatus: EnsureBuildStatusUseCase,
    private readonly followers: LogFollowerSlots,
    private readonly shutdown: ShutdownDrain,
    private readonly ownBuilds: OwnBuilds,
  ) {}

  @Post('start')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start a build',
    description:
      'Answers as soon as the build is queued. Identical requests share one build while it is queued or running; ' +
      'when the exact image already exists the answer is immediate with state `succeeded`, unless `force` is true. ' +
      'A 503 saying the build may have been accepted: retry the same request, it joins that build.',
  })
  @ApiOkResponse({ type: StartBuildResponseDto, description: 'Queued, joined to an identical build, or already built.' })
  @ApiErrorResponses(400, 403, 413, 415, 429, 502)
  async start(@CurrentUser() user: AuthenticatedUser, @Body() body: StartBuildDto, @RequestId() requestId: string) {
    const { record, coalesced } = await this.startBuild.execute(user, body, requestId);
    this.metrics.started(record.kind, coalesced);
    const reference = { id: record.id, job_name: record.jobName, state: record.state };
    return {
      status: 'ok',
      message: `Build process initiated successfully. Job: ${record.jobName}`,
      ...reference,
      image: record.image,
      push_image: pushReference(record),
      coalesced,
      data: reference,
    };
  }

  @Post('cleanup')
  @HttpCode(200)
  @ApiOperation({ summary: "Delete the caller's finished builds older than max_age_hours" })
  @ApiOkResponse({ type: CleanupBuildsResponseDto, description: 'How many builds were deleted.' })
  @ApiErrorResponses(400, 413, 415)
  async cleanup(@CurrentUser() user: AuthenticatedUser, @Body() body: CleanupBuildsDto) {
    const { deleted, partial } = await this.cleanupBuilds.execute(user, body.max_age_hours ?? DEFAULT_MAX_AGE_HOURS);
    return { status: 'ok', message: `Cleaned up ${deleted} jobs successfully.`, deleted, ...(partial ? { partial } : {}) };
  }

  @Get()
  @ApiOperation({ summary: "The caller's builds, newest first, a page at a time" })
  @ApiOkResponse({ type: BuildListResponseDto, description: 'One page; `next_offset` asks for the next.' })
  @ApiErrorResponses(400)
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: ListBuildsQueryDto) {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const offset = query.offset ?? 0;
    // One more than the page, to know whether another follows.
    const builds = await this.records.listForUser(user.login, limit + 1, offset);
    const page = builds.slice(0, limit).map(toBuildView);
    return { status: 'ok', builds: page, ...(builds.length > limit ? { next_offset: offset + limit } : {}) };
  }

  @Get(':id')
  @ApiOperation({
    summary: "State of one of the caller's builds",
    description:
      'A `build/start` id answers 200 with the build whatever its state. A 64-hex `build/ensure` id answers as the ensure API does: ' +
      '202 queued or running, 200 succeeded (with `image`), 409 failed (with `reason` and `message`).',
  })
  @ApiParam({ name: 'id', description: 'The build id (`id` or `data.id` of the start answer), or the 64-hex id of an ensure answer.' })
  @ApiExtraModels(EnsureBuildResponseDto)
  @ApiOkResponse({
    description: 'The build; for an ensure id, the ensure answer of a succeeded build.',
    schema: { oneOf: [{ $ref: getSchemaPath(BuildStatusResponseDto) }, { $ref: getSchemaPath(EnsureBuildResponseDto) }] },
  })
  @ApiAcceptedResponse({ type: EnsureBuildResponseDto, description: 'Ensure id: queued or running.' })
  @ApiConflictResponse({ type: EnsureBuildResponseDto, description: 'Ensure id: failed.' })
  @ApiErrorResponses(400, 404)
  async get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string, @Res({ passthrough: true }) response: FastifyReply) {
    if (isEnsureId(id)) {
      const record = await this.ensureStatus.execute(user, id);
      response.status(ensureStatusCode(record));
      return ensureAnswer(record);
    }
    // Shaped like an ensure id but not one (start ids are 20 characters): malformed, not missing.
    if (id.length === 64) throw new InvalidInputError('Invalid build id: an ensure build id is 64 lowercase hex digits.', 'InvalidBuildId');
    return { status: 'ok', ...toBuildView(await this.ownBuilds.get(user, id)) };
  }

  @Delete(':id')
  @ApiOperation({
    summary: "Cancel one of the caller's queued or running builds",
    description: 'The build ends as `failed` with reason `Cancelled`; its builder (Kubernetes Job, local build) is stopped.',
  })
  @ApiParam({ name: 'id', description: 'The build id.' })
  @ApiOkResponse({ type: BuildStatusResponseDto, description: 'The cancelled build.' })
  @ApiErrorResponses(404, 409)
  async cancel(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string) {
    return { status: 'ok', ...toBuildView(await this.cancelBuild.execute(user, id)) };
  }

  @Get(':id/logs')
  @ApiOperation({
    summary: "Log of one of the caller's builds",
    description:
      'JSON by default; with `follow=true` the log streams as `text/plain` until the build ends, however long it stays ' +
      'silent. A stream that breaks before the build ends (the connection drops, Redis stays away) is cut without a ' +
      'clean end; a client then asks again with `from` set to the lines it already has, so nothing is repeated. ' +
      'An API that shuts down ends the stream cleanly with the line `--- the server is shutting down: reconnect with ' +
      'from=N to follow the rest ---` (not a line of the log): the client follows again from N.',
  })
  @ApiParam({ name: 'id', description: 'The build id.' })
  @ApiQuery({ name: 'follow', required: false, enum: ['true', '1'], description: 'Stream the log as text.' })
  @ApiQuery({
    name: 'from',
    required: false,
    schema: { type: 'integer', minimum: 0, maximum: MAX_LINE_OFFSET, default: 0 },
    description: 'Skip the first `from` lines of the log (those a client already has).',
  })
  @ApiExtraModels(BuildLogsResponseDto)
  @ApiOkResponse({
    description: 'The log lines so far, or with `follow=true` the log as text, one line per line, until the build ends.',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(BuildLogsResponseDto) } },
      'text/plain': { schema: { type: 'string' } },
    },
  })
  @ApiErrorResponses(400, 404, 429)
  async buildLogs(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Query('follow') follow: string | undefined,
    @Query('from') from: unknown,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    const offset = lineOffset(from);
    const record = await this.ownBuilds.get(user, id);
    if (follow !== 'true' && follow !== '1') {
      return { status: 'ok', id, state: record.state, lines: await this.logs.lines(id, offset) };
    }
    const release = this.followers.acquire(record.login);
    try {
      await this.streamLogs(record, offset, response);
    } finally {
      release();
    }
    return undefined;
  }

  private async streamLogs(record: BuildRecord, from: number, reply: FastifyReply): Promise<void> {
    const abort = new AbortController();
    const response = hijack(reply);
    response.on('close', () => abort.abort());
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    response.flushHeaders();
    const isOver = async () => {
      const current = await this.records.get(record.id);
      return !current || isFinished(current.state);
    };
    let sent = from;
    try {
      for await (const entry of this.logs.follow(record.id, isOver, AbortSignal.any([abort.signal, this.shutdown.signal]), from)) {
        if (entry.kind !== 'line') continue;
        response.write(`${entry.line}\n`);
        sent++;
      }
      // Cut short by a shutdown: a clean end, and where to pick up on another replica.
      if (this.shutdown.draining && !abort.signal.aborted) response.write(`${reconnectLine(sent)}\n`);
    } catch (error) {
      // Cut without the closing chunk: a clean end would tell the client the build is over.
      this.logger.warn(`Log follow of build ${record.id} gave up: ${(error as Error).message}`);
      response.destroy();
      return;
    }
    response.end();
  }
}
