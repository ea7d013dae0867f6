import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DeployerEnvironment } from '#libs/config';
import { IntakeMoverModule } from '../../apps/worker/src/builds/intake-mover.module.js';

/** A worker's intake mover alone: accepted builds reach the queue and wait there, since nothing consumes them. */
export function startIntakeMover(config: DeployerEnvironment): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(IntakeMoverModule.forRoot(config), { logger: ['error', 'warn'] });
}
