import { Module } from '@nestjs/common';
import { RegistryHostResolver } from './registry-host.js';
import { ExistingImageFinder } from './existing-image.finder.js';
import { RegistryRepository } from './registry.repository.js';

@Module({
  providers: [RegistryRepository, RegistryHostResolver, ExistingImageFinder],
  exports: [RegistryRepository, RegistryHostResolver, ExistingImageFinder],
})
export class RegistryModule {}
