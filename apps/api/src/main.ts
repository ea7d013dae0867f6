import 'reflect-metadata';
import { loadConfig } from '#libs/config';
import { createApiApp } from './create-api-app.js';

const config = loadConfig();
const app = await createApiApp(config);
await app.listen(config.LISTEN_PORT, config.LISTEN_HOST);
