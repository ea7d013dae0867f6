import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { DeployerEnvironment } from '#libs/config';
import { InjectRedis } from '#libs/redis';

/**
 * Tells every API replica that a repository (`<host>/<repository>`) changed:
 * a worker pushed to it (announced before the build is reported done) or a
 * tag was deleted, so that what they remember of the registry is dropped.
 */
@Injectable()
export class PushedImagesChannel implements OnApplicationShutdown {
  private readonly logger = new Logger(PushedImagesChannel.name);
  private readonly channel: string;
  private subscriber?: Redis;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    config: DeployerEnvironment,
  ) {
    this.channel = `${config.REDIS_PREFIX}:pushed-images`;
  }

  async announce(repository: string): Promise<void> {
    await this.redis.publish(this.channel, repository).catch((error: Error) => this.logger.warn(`announce: ${error.message}`));
  }

  async listen(onPushed: (repository: string) => void): Promise<void> {
    this.subscriber = this.redis.duplicate({ enableOfflineQueue: true, enableAutoPipelining: false });
    this.subscriber.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    this.subscriber.on('message', (_channel: string, repository: string) => onPushed(repository));
    await this.subscriber.subscribe(this.channel).catch((error: Error) => this.logger.warn(`subscribe: ${error.message}`));
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}
