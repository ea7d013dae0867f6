import { ApiProperty } from '@nestjs/swagger';
import { OwnImageDto, OwnRepositoryDto } from './own-image.dto.js';

export class OwnImageListResponseDto extends OwnRepositoryDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ type: [OwnImageDto], description: 'Sorted by tag; empty when nothing was pushed yet.' })
  images: OwnImageDto[];
}
