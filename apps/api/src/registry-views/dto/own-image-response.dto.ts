import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { OwnImageDto, OwnRepositoryDto } from './own-image.dto.js';

export class OwnImageResponseDto extends IntersectionType(OwnRepositoryDto, OwnImageDto) {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ example: 'sha256:4f1c…', description: 'Digest of the manifest.' })
  digest: string;

  @ApiProperty({ type: 'integer', example: 51_234_567, description: 'Bytes the registry stores for the image: its layers plus its config.' })
  size: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the image was built, from its config.' })
  created?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'org.openserverless.deployer.identity': 'sha256:…' },
  })
  labels: Record<string, string>;
}
