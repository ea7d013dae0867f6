export * from './redis.module.js';
export * from './redis-failures.js';
export * from './end-connection.js';
