import { Module } from '@nestjs/common';
import { RegistryHostResolver } from './registry-host.js';
import { RegistryRepository } from './registry.repository.js';

@Module({ providers: [RegistryRepository, RegistryHostResolver], exports: [RegistryRepository, RegistryHostResolver] })
export class RegistryModule {}
