export * from './build-driver.js';
export * from './drivers.module.js';
export * from './local/local.build-driver.js';
