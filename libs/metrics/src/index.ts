export * from './redis-histogram.js';
export * from './metrics-keys.js';
export * from './build-outcome.metrics.js';
export * from './cleanup-run.metrics.js';
export * from './metrics.module.js';
