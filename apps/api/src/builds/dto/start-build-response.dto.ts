import { ApiProperty } from '@nestjs/swagger';
import { BuildReferenceDto } from './build-reference.dto.js';

export class StartBuildResponseDto extends BuildReferenceDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ example: 'Build process initiated successfully. Job: build-devel-mf2x8k3a0c1d2e3f4a5b6' })
  message: string;

  @ApiProperty({ example: '127.0.0.1:32000/devel:python-1', description: 'The reference an action runs on: the pull host (`--docker`).' })
  image: string;

  @ApiProperty({ example: 'nuvolaris-registry-svc:5000/devel:python-1', description: 'Where the image is pushed: the push host.' })
  push_image: string;

  @ApiProperty({ description: 'True when the request joined an identical build already queued or running.' })
  coalesced: boolean;

  @ApiProperty({ type: BuildReferenceDto, description: 'The same reference again, where the `ops` client reads it.' })
  data: BuildReferenceDto;
}
