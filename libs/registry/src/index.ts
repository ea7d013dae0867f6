export * from './registry.repository.js';
export * from './registry.module.js';
