import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { FailureReason } from '#libs/errors';
import { ApiFailureReason } from '../../openapi/failure-reason.property.js';
import { BuildReferenceDto } from './build-reference.dto.js';

export class BuildViewDto extends BuildReferenceDto {
  @ApiProperty({ example: 'python' })
  kind: string;

  @ApiProperty({ example: 'apache/openserverless-runtime-python:v3.12-2506091954' })
  source: string;

  @ApiProperty({ example: 'devel:python-1' })
  target: string;

  @ApiProperty({ example: '127.0.0.1:32000/devel:python-1', description: 'The reference an action runs on: the pull host (`--docker`).' })
  image: string;

  @ApiProperty({ example: 'nuvolaris-registry-svc:5000/devel:python-1', description: 'Where the image is pushed: the push host.' })
  push_image: string;

  @ApiPropertyOptional({ example: 'sha256:4f1c…', description: 'Digest of the pushed image, once succeeded.' })
  digest?: string;

  @ApiPropertyOptional({ description: 'X-Request-Id of the request that started the build.' })
  request_id?: string;

  @ApiFailureReason('Machine-readable cause of a failure (README: failure reasons).')
  reason?: FailureReason;

  @ApiPropertyOptional()
  message?: string;

  @ApiPropertyOptional({ type: [String], description: 'Last lines of the log of a failed build.' })
  log_tail?: string[];

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiPropertyOptional({ format: 'date-time' })
  started_at?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  finished_at?: string;
}

export class BuildStatusResponseDto extends BuildViewDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}

export class BuildListResponseDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ type: [BuildViewDto], description: 'Newest first.' })
  builds: BuildViewDto[];

  @ApiPropertyOptional({ type: 'integer', description: 'The `offset` of the next page; absent on the last page.' })
  next_offset?: number;
}
