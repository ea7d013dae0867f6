import 'reflect-metadata';
import { loadConfigOrExit } from '#libs/config';
import { createApiApp } from './create-api-app.js';

const config = loadConfigOrExit();
const app = await createApiApp(config);
await app.listen(config.LISTEN_PORT, config.LISTEN_HOST);
