export * from './job-catalogue.js';
export * from './job-queues.js';
export * from './build-queue.js';
export * from './build-intake.js';
export * from './cleanup-queue.js';
export * from './fair-share.policy.js';
export * from './queues.module.js';
