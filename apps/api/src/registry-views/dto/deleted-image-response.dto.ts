import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { OwnImageDto, OwnRepositoryDto } from './own-image.dto.js';

export class DeletedImageResponseDto extends IntersectionType(OwnRepositoryDto, OwnImageDto) {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ example: 'Deleted devel:python-1 (sha256:4f1c…)' })
  message: string;

  @ApiProperty({ example: 'sha256:4f1c…', description: 'The manifest digest the registry deleted.' })
  digest: string;
}
