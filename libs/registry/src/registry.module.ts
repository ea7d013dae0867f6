import { Module } from '@nestjs/common';
import { RegistryRepository } from './registry.repository.js';

@Module({ providers: [RegistryRepository], exports: [RegistryRepository] })
export class RegistryModule {}
