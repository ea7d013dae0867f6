import { Module } from '@nestjs/common';
import { BuildLogsRepository } from './logs/build-logs.repository.js';
import { WorkerHeartbeatsRepository } from './heartbeats/worker-heartbeats.repository.js';
import { PushedImagesChannel } from './pushed-images/pushed-images.channel.js';
import { BuildRecordsRepository } from './records/build-records.repository.js';
import { ReplicatedWrites } from './redis/replicated-writes.js';
import { RunningBuildsRepository } from './running-cap/running-builds.repository.js';

/** What is kept in Redis about builds, apart from the queues (QueuesModule). */
const STORE = [
  BuildRecordsRepository,
  BuildLogsRepository,
  RunningBuildsRepository,
  WorkerHeartbeatsRepository,
  PushedImagesChannel,
  ReplicatedWrites,
];

@Module({ providers: STORE, exports: STORE })
export class BuildStoreModule {}
