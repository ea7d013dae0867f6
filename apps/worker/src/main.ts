import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '#libs/config';
import { WorkerModule } from './worker.module.js';

const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig()));
app.enableShutdownHooks();
