import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfigOrExit } from '#libs/config';
import { createApiApp } from '../../api/src/create-api-app.js';
import { WorkerModule } from '../../worker/src/worker.module.js';

/** API and worker in one process, for development and the embedded default. */
const config = loadConfigOrExit();
const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: createLogger(config) });
const api = await createApiApp(config, undefined, { shutdownHooks: false });
await api.listen(config.LISTEN_PORT, config.LISTEN_HOST);
// One handler for both: each application's own would end the process as soon as the first had closed.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([api.close(), worker.close()]).then(() => process.exit(0));
  });
}
