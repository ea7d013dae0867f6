import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { RUNTIME_KINDS } from '#libs/runtimes';

/** What the start endpoint answered, counted where it answers. */
@Injectable()
export class BuildRequestMetrics {
  private readonly accepted: Counter<'kind'>;
  private readonly coalesced: Counter<'kind'>;

  constructor(registry: Registry) {
    this.accepted = new Counter({
      name: 'deployer_builds_accepted_total',
      help: 'Start requests that created a build (queued, or answered at once because the image exists)',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.coalesced = new Counter({
      name: 'deployer_builds_coalesced_total',
      help: 'Start requests that joined an identical build already queued or running',
      labelNames: ['kind'],
      registers: [registry],
    });
    for (const kind of RUNTIME_KINDS) {
      this.accepted.inc({ kind }, 0);
      this.coalesced.inc({ kind }, 0);
    }
  }

  started(kind: string, coalesced: boolean): void {
    (coalesced ? this.coalesced : this.accepted).inc({ kind });
  }
}
