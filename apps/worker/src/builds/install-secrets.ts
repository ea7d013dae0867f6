import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { DeployerEnvironment } from '#libs/config';
import type { BuildSecret } from '#libs/drivers';
import { CA_BUNDLE_SECRET, INSTALL_ENV_SECRET, installEnvironment } from '#libs/runtimes';

/**
 * The BuildKit secrets every install step gets: the operator's CA bundle and
 * package mirrors. Read once at boot, so a CA bundle that cannot be read
 * stops the worker with its variable's name instead of failing builds.
 */
@Injectable()
export class InstallSecrets {
  readonly secrets: readonly BuildSecret[];

  constructor(config: DeployerEnvironment) {
    const secrets: BuildSecret[] = [];
    if (config.BUILD_CA_BUNDLE) {
      let bundle: Buffer;
      try {
        bundle = readFileSync(config.BUILD_CA_BUNDLE);
      } catch (error) {
        throw new Error(`BUILD_CA_BUNDLE=${config.BUILD_CA_BUNDLE} cannot be read: ${(error as Error).message}`);
      }
      if (!bundle.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
        throw new Error(`BUILD_CA_BUNDLE=${config.BUILD_CA_BUNDLE} holds no PEM certificate`);
      }
      secrets.push({ id: CA_BUNDLE_SECRET, content: bundle });
    }
    const environment = installEnvironment({
      pipIndexUrl: config.BUILD_PIP_INDEX_URL,
      npmRegistry: config.BUILD_NPM_REGISTRY,
      composerRepository: config.BUILD_COMPOSER_REPOSITORY,
      goProxy: config.BUILD_GOPROXY,
      gemSource: config.BUILD_GEM_SOURCE,
    });
    if (environment) secrets.push({ id: INSTALL_ENV_SECRET, content: Buffer.from(environment) });
    this.secrets = Object.freeze(secrets);
  }
}
