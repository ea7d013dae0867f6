import { loadConfig } from '#libs/config';
import { redisConnectionOptions } from './redis.module.js';

describe('redisConnectionOptions', () => {
  it('goes to REDIS_HOST and REDIS_PORT without sentinels', () => {
    const options = redisConnectionOptions(loadConfig({ REDIS_HOST: 'redis', REDIS_PORT: '6380', REDIS_PASSWORD: 'p' }));
    expect(options).toEqual({ host: 'redis', port: 6380, password: 'p', db: 0 });
  });

  it('asks the sentinels for the master of REDIS_SENTINEL_NAME when REDIS_SENTINELS is set', () => {
    const options = redisConnectionOptions(
      loadConfig({
        REDIS_SENTINELS: 'sentinel-0.redis:26379,10.0.0.7:26380',
        REDIS_SENTINEL_NAME: 'builds',
        REDIS_SENTINEL_PASSWORD: 's',
        REDIS_PASSWORD: 'p',
        REDIS_HOST: 'ignored',
      }),
    );
    expect(options).toMatchObject({
      sentinels: [
        { host: 'sentinel-0.redis', port: 26379 },
        { host: '10.0.0.7', port: 26380 },
      ],
      name: 'builds',
      sentinelPassword: 's',
      password: 'p',
      failoverDetector: true,
    });
    expect(options).not.toHaveProperty('host');
    const reconnect = (options as { reconnectOnError: (e: Error) => boolean }).reconnectOnError;
    expect(reconnect(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(reconnect(new Error('NOREPLICAS Not enough good replicas to write.'))).toBe(true);
    expect(reconnect(new Error('ERR wrong number of arguments'))).toBe(false);
  });

  it('stops start-up on a sentinel list that is not host:port pairs, naming the variable and hiding no secret', () => {
    expect(() => loadConfig({ REDIS_SENTINELS: 'sentinel-0:26379;sentinel-1' })).toThrow(/REDIS_SENTINELS=.*host:port/);
    expect(() => loadConfig({ REDIS_SENTINELS: 'sentinel-0' })).toThrow(/REDIS_SENTINELS/);
    expect(() => loadConfig({ REDIS_WAIT_REPLICAS: '-1' })).toThrow(/REDIS_WAIT_REPLICAS/);
    expect(loadConfig({}).REDIS_SENTINEL_NAME).toBe('mymaster');
  });
});
