export * from './scoped-registry.proxy.js';
export * from './registry-operation.js';
export * from './docker-config-credentials.js';
export { isLoopbackHost } from './upstream-authorizer.js';
