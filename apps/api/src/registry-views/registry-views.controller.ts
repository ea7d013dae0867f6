import { Controller, Delete, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AuthGuard, type AuthenticatedUser, CurrentUser } from '#libs/auth';
import { ApiErrorResponses } from '../openapi/api-error-responses.decorator.js';
import { ErrorResponseDto } from '../openapi/error-response.dto.js';
import { OPENWHISK_AUTH } from '../openapi/openwhisk-auth.js';
import { DeletedImageResponseDto } from './dto/deleted-image-response.dto.js';
import { OwnImageListResponseDto } from './dto/own-image-list-response.dto.js';
import { OwnImageResponseDto } from './dto/own-image-response.dto.js';
import { DeleteOwnImageUseCase } from './delete-own-image.use-case.js';
import { GetOwnImageUseCase } from './get-own-image.use-case.js';
import { ListOwnImagesUseCase } from './list-own-images.use-case.js';
import type { OwnRepository } from './own-repository.js';

const TAG_PARAM = {
  name: 'tag',
  description: 'A tag of your repository: 1 to 128 of letters, digits, "_", "." or "-", not starting with "." or "-".',
};
const NOT_FOUND = { type: ErrorResponseDto, description: 'No such tag in your repository.' };

const repositoryFields = ({ host, repository }: OwnRepository) => ({ registry: host, repository });

/**
 * The caller's own repository (`<registry>/<login lowercased>`); the routes
 * take a tag only, so no other repository can be named.
 */
@Controller('system/api/v1/registry/images')
@UseGuards(AuthGuard)
@ApiTags('registry')
@ApiBasicAuth(OPENWHISK_AUTH)
@ApiErrorResponses(401, 502, 503)
export class RegistryViewsController {
  constructor(
    private readonly listImages: ListOwnImagesUseCase,
    private readonly getImage: GetOwnImageUseCase,
    private readonly deleteImage: DeleteOwnImageUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: "The tags of the caller's repository" })
  @ApiOkResponse({ type: OwnImageListResponseDto, description: 'Every tag, sorted.' })
  @ApiErrorResponses(400)
  async list(@CurrentUser() user: AuthenticatedUser) {
    const list = await this.listImages.execute(user);
    return { status: 'ok', ...repositoryFields(list), images: list.images };
  }

  @Get(':tag')
  @ApiOperation({ summary: "One image of the caller's repository: digest, size, creation time, labels" })
  @ApiParam(TAG_PARAM)
  @ApiOkResponse({ type: OwnImageResponseDto, description: 'The image.' })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiErrorResponses(400)
  async get(@CurrentUser() user: AuthenticatedUser, @Param('tag') tag: string) {
    const { host, repository, ...image } = await this.getImage.execute(user, tag);
    return { status: 'ok', ...repositoryFields({ host, repository }), ...image };
  }

  @Delete(':tag')
  @ApiOperation({
    summary: "Delete one image of the caller's repository",
    description: 'The registry deletes by manifest digest: other tags of the same manifest in your repository go too.',
  })
  @ApiParam(TAG_PARAM)
  @ApiOkResponse({ type: DeletedImageResponseDto, description: 'The deleted tag and its manifest digest.' })
  @ApiNotFoundResponse(NOT_FOUND)
  @ApiErrorResponses(400)
  async delete(@CurrentUser() user: AuthenticatedUser, @Param('tag') tag: string) {
    const { host, repository, ...image } = await this.deleteImage.execute(user, tag);
    return {
      status: 'ok',
      message: `Deleted ${repository}:${image.tag} (${image.digest})`,
      ...repositoryFields({ host, repository }),
      ...image,
    };
  }
}
