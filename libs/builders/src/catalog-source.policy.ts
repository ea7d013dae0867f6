import { Injectable } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { ForbiddenError } from '#libs/errors';
import { messageExcerpt } from '#libs/images';
import { BuilderCatalog } from './builder-catalog.js';

/** With BUILD_SOURCES_FROM_CATALOG, `build/start` may extend only the catalog's images. */
@Injectable()
export class CatalogSourcePolicy {
  constructor(
    private readonly config: DeployerEnvironment,
    private readonly catalog: BuilderCatalog,
  ) {}

  check(source: string): void {
    if (!this.config.BUILD_SOURCES_FROM_CATALOG || this.catalog.hasSource(source)) return;
    throw new ForbiddenError(
      `Source ${messageExcerpt(source)} is not allowed: BUILD_SOURCES_FROM_CATALOG admits only the images of the builder catalog`,
    );
  }
}
