import { ApiProperty } from '@nestjs/swagger';

/** The one error format of the service, documented once. */
export class ErrorResponseDto {
  @ApiProperty({ enum: ['ko'], example: 'ko' })
  status: 'ko';

  @ApiProperty({ example: 'Invalid target for the build.' })
  message: string;
}
