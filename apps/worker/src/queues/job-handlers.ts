import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { Job } from 'bullmq';
import { JOBS, JobName } from '#libs/queues';
import { HANDLES_JOB } from './handles-job.decorator.js';

export type BoundHandler = (job: Job, token: string | undefined) => Promise<unknown>;

/** The methods marked @HandlesJob among the application's providers, one per job of the catalogue. */
@Injectable()
export class JobHandlers {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  /** Every job bound to its handler; throws, naming them, when a job has no handler or two. */
  bind(): Map<string, BoundHandler> {
    const found = new Map<string, { where: string; handle: BoundHandler }[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method] as (...args: unknown[]) => Promise<unknown>;
        const name = Reflect.getMetadata(HANDLES_JOB, fn) as string | undefined;
        if (name === undefined) continue;
        const bound = found.get(name) ?? [];
        bound.push({ where: `${instance.constructor.name}.${method}`, handle: (job, token) => fn.call(instance, job, token) });
        found.set(name, bound);
      }
    }
    const problems: string[] = [];
    for (const name of Object.keys(JOBS) as JobName[]) {
      const bound = found.get(name) ?? [];
      if (bound.length === 0) problems.push(`job ${name} has no handler`);
      if (bound.length > 1) problems.push(`job ${name} has ${bound.length} handlers (${bound.map((b) => b.where).join(', ')})`);
    }
    for (const name of found.keys()) if (!(name in JOBS)) problems.push(`a handler names job ${name}, which the catalogue does not declare`);
    if (problems.length > 0) throw new Error(`Job handlers: ${problems.join('; ')}`);
    return new Map([...found].map(([name, [only]]) => [name, only.handle]));
  }
}
