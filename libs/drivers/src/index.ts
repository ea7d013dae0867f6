export * from './build-driver.js';
export * from './driver-profile.js';
export * from './drivers.module.js';
export * from './local/local.build-driver.js';
export * from './kubernetes/kubernetes.build-driver.js';
export * from './kubernetes/kubernetes-labels.js';
export * from './kubernetes/build-object-names.js';
export * from './kubernetes/finished-jobs.cleaner.js';
