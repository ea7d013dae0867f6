import { Module } from '@nestjs/common';
import { RegistryHostResolver } from './registry-host.js';
import { ExistingImageFinder } from './existing-image.finder.js';
import { RegistryRepository } from './registry.repository.js';
import { SourceImageConfigReader } from './source-image-config.reader.js';

@Module({
  providers: [RegistryRepository, RegistryHostResolver, ExistingImageFinder, SourceImageConfigReader],
  exports: [RegistryRepository, RegistryHostResolver, ExistingImageFinder, SourceImageConfigReader],
})
export class RegistryModule {}
