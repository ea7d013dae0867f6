import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { type CatalogueJob, JobName } from '#libs/queues';
import { HandlesJob } from './handles-job.decorator.js';
import { JobHandlers } from './job-handlers.js';

@Injectable()
class Builds {
  @HandlesJob(JobName.Build)
  async build(_job: CatalogueJob<JobName.Build>): Promise<string | undefined> {
    return undefined;
  }
}

@Injectable()
class MoreBuilds {
  @HandlesJob(JobName.Build)
  async build(_job: CatalogueJob<JobName.Build>): Promise<string | undefined> {
    return undefined;
  }
}

@Injectable()
class Cleanups {
  @HandlesJob(JobName.Cleanup)
  async cleanup(job: CatalogueJob<JobName.Cleanup>) {
    return { jobsDeleted: job.data.olderThan, recordsDeleted: 0 };
  }
}

async function bind(...handlers: (new () => object)[]) {
  const moduleRef = await Test.createTestingModule({ imports: [DiscoveryModule], providers: [JobHandlers, ...handlers] }).compile();
  try {
    return moduleRef.get(JobHandlers).bind();
  } finally {
    await moduleRef.close();
  }
}

describe('JobHandlers', () => {
  it('binds every job of the catalogue to its one handler', async () => {
    const bound = await bind(Builds, Cleanups);
    expect([...bound.keys()].sort()).toEqual([JobName.Build, JobName.Cleanup]);
    const job = { data: { olderThan: 7 } } as CatalogueJob<JobName.Cleanup>;
    await expect(bound.get(JobName.Cleanup)!(job, undefined)).resolves.toEqual({ jobsDeleted: 7, recordsDeleted: 0 });
  });

  it('refuses to boot when a job has no handler', async () => {
    await expect(bind(Builds)).rejects.toThrow('job cleanup has no handler');
  });

  it('refuses to boot when a job has two handlers, naming both', async () => {
    await expect(bind(Builds, MoreBuilds, Cleanups)).rejects.toThrow('job build has 2 handlers (Builds.build, MoreBuilds.build)');
  });
});
