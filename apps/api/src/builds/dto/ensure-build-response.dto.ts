import type { FailureReason } from '#libs/errors';
import { ApiFailureReason } from '../../openapi/failure-reason.property.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BUILD_STATES, type BuildState } from '#libs/builds';

/** The answer of `build/ensure` and of `GET /build/<64-hex id>`, whatever the state. */
export class EnsureBuildResponseDto {
  @ApiProperty({ enum: ['ok', 'ko'], description: '`ko` only with state `failed` (HTTP 409).' })
  status: 'ok' | 'ko';

  @ApiProperty({ example: 'Build queued' })
  message: string;

  @ApiProperty({ example: '3f1c…', description: 'The content-addressed build id: 64 hex.', pattern: '^[0-9a-f]{64}$' })
  id: string;

  @ApiProperty({ example: 'build-devel-8c1e0f2a9b3d4c5e6f70', description: 'The Kubernetes Job of this run of the build.' })
  job_name: string;

  @ApiProperty({ enum: [...BUILD_STATES] })
  state: BuildState;

  @ApiProperty({ nullable: true, type: String, example: '127.0.0.1:32000/devel:python-3f1c0a2b4d6e8f901a2b', description: 'The pull reference once succeeded, else null.' })
  image: string | null;

  @ApiPropertyOptional({ example: 'nuvolaris-registry-svc:5000/devel:python-3f1c0a2b4d6e8f901a2b', description: 'Where it was pushed, once succeeded.' })
  push_image?: string;

  @ApiPropertyOptional({ example: 'sha256:4f1c…' })
  digest?: string;

  @ApiFailureReason('Why it failed (state `failed`; README: failure reasons).')
  reason?: FailureReason;
}

export class BuilderDto {
  @ApiProperty({ example: 'python:3.13' })
  id: string;

  @ApiProperty({ example: 'python' })
  kind: string;
}

export class BuildCapabilitiesResponseDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ example: '2 builders' })
  message: string;

  @ApiProperty({ type: [BuilderDto], description: 'The catalog, sorted by id.' })
  builders: BuilderDto[];
}
