/**
 * A worker's intake mover alone (IntakeMoverModule), as a process of its
 * own: the builds a benchmark's API accepts reach the queue as in a
 * deployment, at the cost a worker would pay, while no build runs.
 */
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '#libs/config';
import { IntakeMoverModule } from '../apps/worker/src/builds/intake-mover.module.js';

const app = await NestFactory.createApplicationContext(IntakeMoverModule.forRoot(loadConfig(process.env)), { logger: ['error', 'warn'] });
app.enableShutdownHooks();
