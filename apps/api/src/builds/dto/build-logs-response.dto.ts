import { ApiProperty } from '@nestjs/swagger';
import { BUILD_STATES, type BuildState } from '#libs/builds';

export class BuildLogsResponseDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty()
  id: string;

  @ApiProperty({ enum: [...BUILD_STATES] })
  state: BuildState;

  @ApiProperty({ type: [String] })
  lines: string[];
}
