export * from './baseline-runtime-strategy.js';
export * from './dependency-file.js';
export { INVALID_DEPENDENCY_FILE } from './dependency-file-checks.js';
export * from './dockerfile-labels.js';
export * from './runtime-kind.js';
export * from './runtime-registry.js';
export type * from './runtime-strategy.js';
export * from './runtimes.module.js';
export { RUNTIME_STRATEGY_LIST } from './strategies/index.js';
