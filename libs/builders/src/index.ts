export * from './builder-catalog.js';
export * from './builder-catalog.loader.js';
export * from './builders.module.js';
export * from './catalog-source.policy.js';
export * from './runtimes-catalog.js';
