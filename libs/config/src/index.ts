export * from './deployer-config.js';
export * from './load-config.js';
export * from './config.module.js';
export * from './create-logger.js';
