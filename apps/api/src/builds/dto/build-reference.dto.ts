import { ApiProperty } from '@nestjs/swagger';
import { BUILD_STATES, type BuildState } from '#libs/builds';

/** How a client refers to a build; `ops ide deploy` reads it under `data`. */
export class BuildReferenceDto {
  @ApiProperty({ example: 'mf2x8k3a0c1d2e3f4a5b6' })
  id: string;

  @ApiProperty({ example: 'build-devel-mf2x8k3a0c1d2e3f4a5b6', description: 'A DNS-1123 label of at most 63 characters.' })
  job_name: string;

  @ApiProperty({ enum: [...BUILD_STATES] })
  state: BuildState;
}
