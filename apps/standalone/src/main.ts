import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfigOrExit } from '#libs/config';
import { createApiApp } from '../../api/src/create-api-app.js';
import { WorkerModule } from '../../worker/src/worker.module.js';

/** API and worker in one process, for development and the embedded default. */
const config = loadConfigOrExit();
const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: createLogger(config) });
worker.enableShutdownHooks();
const api = await createApiApp(config);
await api.listen(config.LISTEN_PORT, config.LISTEN_HOST);
