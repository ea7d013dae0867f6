import { BUILD_DRIVERS } from '#libs/config';
import { DEFAULT_REGISTRY_HOSTS, driverProfileOf } from './driver-profile.js';

describe('driver profiles', () => {
  it('every driver has one, with a default registry host of its own', () => {
    for (const name of BUILD_DRIVERS) expect(driverProfileOf({ BUILD_DRIVER: name }).defaultRegistryHost).toMatch(/^[a-z0-9.-]+:\d+$/);
    expect(new Set(DEFAULT_REGISTRY_HOSTS).size).toBe(BUILD_DRIVERS.length);
  });

  it('only the kubernetes driver runs in a cluster, where builds outlive their records', () => {
    expect(driverProfileOf({ BUILD_DRIVER: 'kubernetes' })).toMatchObject({ inCluster: true, buildsOutliveTheirRecords: true });
    expect(driverProfileOf({ BUILD_DRIVER: 'local' })).toMatchObject({ inCluster: false, buildsOutliveTheirRecords: false });
  });
});
