export * from './build-target.js';
export * from './image-reference.js';
export * from './message-excerpt.js';
export { MAX_REFERENCE_LENGTH, isPathComponent, isRegistryHost, isTag } from './reference-grammar.js';
export * from './source-policy.js';
