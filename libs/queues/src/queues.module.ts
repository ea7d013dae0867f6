import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { redisConnectionOptions } from '#libs/redis';
import { BuildIntake } from './build-intake.js';
import { BuildQueue } from './build-queue.js';
import { CleanupQueue } from './cleanup-queue.js';
import { FairSharePolicy } from './fair-share.policy.js';
import { QUEUE_NAMES } from './job-catalogue.js';
import { JobQueues } from './job-queues.js';

const PRODUCERS = [JobQueues, BuildQueue, BuildIntake, CleanupQueue, FairSharePolicy];

/** The catalogue's BullMQ queues and their producers; consumers live in the worker app. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [DeployerEnvironment],
      useFactory: (config: DeployerEnvironment) => ({
        prefix: config.REDIS_PREFIX,
        connection: { ...redisConnectionOptions(config), enableOfflineQueue: false, commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS },
      }),
    }),
    BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
  ],
  providers: PRODUCERS,
  exports: [...PRODUCERS, BullModule],
})
export class QueuesModule {}
