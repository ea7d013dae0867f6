export * from './api-retry.js';
export * from './kube-config.js';
export * from './kube.module.js';
export * from './kubernetes-api.error.js';
export * from './kubernetes.repository.js';
export * from './kube-connection.js';
export * from './kube-http.client.js';
