export * from './registry.repository.js';
export * from './registry-credentials.js';
export * from './registry.module.js';
export * from './registry-host.js';
export * from './cluster-registry-host.js';
export * from './existing-image.finder.js';
export * from './source-image-config.reader.js';
export * from './proxy/index.js';
