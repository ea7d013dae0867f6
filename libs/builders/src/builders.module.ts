import { Module } from '@nestjs/common';
import { DeployerEnvironment } from '#libs/config';
import { BuilderCatalog } from './builder-catalog.js';
import { loadBuilderCatalog } from './builder-catalog.loader.js';
import { CatalogSourcePolicy } from './catalog-source.policy.js';

/** The builder catalog, loaded and validated once when the module starts. */
@Module({
  providers: [
    { provide: BuilderCatalog, useFactory: loadBuilderCatalog, inject: [DeployerEnvironment] },
    CatalogSourcePolicy,
  ],
  exports: [BuilderCatalog, CatalogSourcePolicy],
})
export class BuildersModule {}
