import { ApiProperty } from '@nestjs/swagger';

export class CleanupBuildsResponseDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ example: 'Cleaned up 2 jobs successfully.' })
  message: string;

  @ApiProperty({ example: 2 })
  deleted: number;
}
