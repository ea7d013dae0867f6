import { Module } from '@nestjs/common';
import { BuildStoreModule } from '#libs/builds';
import { RegistryModule } from '#libs/registry';
import { DeleteOwnImageUseCase } from './delete-own-image.use-case.js';
import { GetOwnImageUseCase } from './get-own-image.use-case.js';
import { ListOwnImagesUseCase } from './list-own-images.use-case.js';
import { OwnRepositoryResolver } from './own-repository.js';
import { RegistryViewsController } from './registry-views.controller.js';

@Module({
  imports: [RegistryModule, BuildStoreModule],
  controllers: [RegistryViewsController],
  providers: [OwnRepositoryResolver, ListOwnImagesUseCase, GetOwnImageUseCase, DeleteOwnImageUseCase],
})
export class RegistryViewsModule {}
