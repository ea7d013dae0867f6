import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { redisConnectionOptions } from '#libs/redis';
import { BuildLogsRepository } from './build-logs.repository.js';
import { BUILD_QUEUE } from './build-queue.contract.js';
import { CLEANUP_QUEUE } from './cleanup-queue.contract.js';
import { CleanupQueue } from './cleanup-queue.js';
import { PushedImagesChannel } from './pushed-images.channel.js';
import { WorkerHeartbeatsRepository } from './worker-heartbeats.repository.js';
import { BuildQueue } from './build-queue.js';
import { BuildRecordsRepository } from './build-records.repository.js';
import { FairSharePolicy } from './fair-share.policy.js';
import { RunningBuildsRepository } from './running-builds.repository.js';
import { ReplicatedWrites } from './replicated-writes.js';

@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [DeployerEnvironment],
      useFactory: (config: DeployerEnvironment) => ({
        prefix: config.REDIS_PREFIX,
        connection: { ...redisConnectionOptions(config), enableOfflineQueue: false, commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS },
      }),
    }),
    BullModule.registerQueue({ name: BUILD_QUEUE }, { name: CLEANUP_QUEUE }),
  ],
  providers: [
    BuildRecordsRepository,
    BuildLogsRepository,
    BuildQueue,
    CleanupQueue,
    PushedImagesChannel,
    WorkerHeartbeatsRepository,
    FairSharePolicy,
    RunningBuildsRepository,
    ReplicatedWrites,
  ],
  exports: [
    RunningBuildsRepository,
    BuildRecordsRepository,
    BuildLogsRepository,
    BuildQueue,
    CleanupQueue,
    PushedImagesChannel,
    WorkerHeartbeatsRepository,
    ReplicatedWrites,
    BullModule,
  ],
})
export class BuildsModule {}
