export * from './registry.repository.js';
export * from './registry.module.js';
export * from './registry-host.js';
