export * from './domain-error.js';
export * from './failure-reasons.js';
