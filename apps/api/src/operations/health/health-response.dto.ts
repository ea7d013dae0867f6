import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ReadinessResponseDto {
  @ApiProperty({ enum: ['ok', 'ko'] })
  status: 'ok' | 'ko';

  @ApiPropertyOptional({ example: 'Not ready: redis down', description: 'Only when not ready.' })
  message?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', enum: ['up', 'down'] },
    example: { redis: 'up' },
  })
  checks: Record<string, 'up' | 'down'>;
}

export class LivenessResponseDto {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';
}
