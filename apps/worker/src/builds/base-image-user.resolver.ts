import { Injectable, Logger } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { BaseImageConfig, BuildDriver } from '#libs/drivers';
import { SourceImageConfigReader } from '#libs/registry';
import { type RuntimeStrategy, isImageUser } from '#libs/runtimes';

export interface BaseImageUser {
  /** The user the finished image runs as. */
  user: string;
  /** What was used and why, for the build's log. */
  note: string;
}

/**
 * The user a build hands its image back to: the base image's own, read from
 * its config where the builder will take it from (the builder's local copy,
 * else the source registry); the kind's default when the config cannot be
 * read or names a user the Dockerfile cannot carry.
 */
@Injectable()
export class BaseImageUserResolver {
  private readonly logger = new Logger(BaseImageUserResolver.name);

  constructor(
    private readonly config: DeployerEnvironment,
    private readonly driver: BuildDriver,
    private readonly sourceConfigs: SourceImageConfigReader,
  ) {}

  async resolve(source: string, strategy: RuntimeStrategy): Promise<BaseImageUser> {
    const fallback = (why: string): BaseImageUser => ({
      user: strategy.defaultUser,
      note: `base image user: ${strategy.defaultUser} (the ${strategy.kind} default: ${why})`,
    });
    if (!this.config.READ_BASE_IMAGE_CONFIG) return fallback('reading base image configs is off');
    let config: BaseImageConfig | null;
    try {
      config = (await this.driver.localImageConfig(source)) ?? (await this.sourceConfigs.read(source));
    } catch (error) {
      this.logger.warn(`Could not read the config of ${source}: ${(error as Error).message}`);
      return fallback('its config could not be read');
    }
    if (!config) return fallback('its config was not found');
    const user = config.user === '' ? 'root' : config.user;
    if (!isImageUser(user)) return fallback('its config names a user that cannot be restored');
    const workdir = config.workingDir === '' ? '/' : config.workingDir;
    return { user, note: `base image user: ${user}, working directory: ${workdir} (from the image config)` };
  }
}
