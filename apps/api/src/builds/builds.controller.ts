import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '#libs/auth';
import { BuildLogsRepository, BuildRecord, BuildRecordsRepository, isFinished, toBuildView } from '#libs/builds';
import { NotFoundError } from '#libs/errors';
import { CleanupBuildsDto } from './dto/cleanup-builds.dto.js';
import { StartBuildDto } from './dto/start-build.dto.js';
import { StartBuildUseCase } from './start-build.use-case.js';

const DEFAULT_MAX_AGE_HOURS = 24;

@Controller('system/api/v1/build')
@UseGuards(AuthGuard)
export class BuildsController {
  constructor(
    private readonly startBuild: StartBuildUseCase,
    private readonly records: BuildRecordsRepository,
    private readonly logs: BuildLogsRepository,
  ) {}

  @Post('start')
  @HttpCode(200)
  async start(@CurrentUser() user: AuthenticatedUser, @Body() body: StartBuildDto) {
    const { record, coalesced } = await this.startBuild.execute(user, body);
    const reference = { id: record.id, job_name: record.jobName, state: record.state };
    return {
      status: 'ok',
      message: `Build process initiated successfully. Job: ${record.jobName}`,
      ...reference,
      image: record.image,
      coalesced,
      data: reference,
    };
  }

  @Post('cleanup')
  @HttpCode(200)
  async cleanup(@CurrentUser() user: AuthenticatedUser, @Body() body: CleanupBuildsDto) {
    const hours = body.max_age_hours ?? DEFAULT_MAX_AGE_HOURS;
    const deleted = await this.records.deleteFinishedBefore(user.login, Date.now() - hours * 3_600_000);
    return { status: 'ok', message: `Cleaned up ${deleted} jobs successfully.`, deleted };
  }

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser) {
    const builds = await this.records.listForUser(user.login);
    return { status: 'ok', builds: builds.map(toBuildView) };
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string) {
    return { status: 'ok', ...toBuildView(await this.ownBuild(user, id)) };
  }

  @Get(':id/logs')
  async buildLogs(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Query('follow') follow: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const record = await this.ownBuild(user, id);
    if (follow !== 'true' && follow !== '1') {
      return { status: 'ok', id, state: record.state, lines: await this.logs.lines(id) };
    }
    await this.streamLogs(record, response);
    return undefined;
  }

  /** Another user's build is indistinguishable from a missing one. */
  private async ownBuild(user: AuthenticatedUser, id: string): Promise<BuildRecord> {
    const record = await this.records.get(id);
    if (!record || record.login !== user.login.toLowerCase()) throw new NotFoundError(`Build ${id.slice(0, 64)} not found`);
    return record;
  }

  private async streamLogs(record: BuildRecord, response: Response): Promise<void> {
    const abort = new AbortController();
    response.on('close', () => abort.abort());
    response.status(200).setHeader('content-type', 'text/plain; charset=utf-8');
    response.setHeader('cache-control', 'no-store');
    response.flushHeaders();
    const isOver = async () => {
      const current = await this.records.get(record.id);
      return !current || isFinished(current.state);
    };
    for await (const entry of this.logs.follow(record.id, isOver, abort.signal)) {
      if (entry.kind === 'line') response.write(`${entry.line}\n`);
    }
    response.end();
  }
}
