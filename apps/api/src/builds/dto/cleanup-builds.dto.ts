import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class CleanupBuildsDto {
  @ApiPropertyOptional({
    oneOf: [
      { type: 'integer', minimum: 0, maximum: 87_600 },
      { type: 'string', pattern: '^\\s*\\d+\\s*$' },
    ],
    default: 24,
    description: "Hours; the caller's finished builds (succeeded or failed) older than this are deleted.",
  })
  @Max(87_600, { message: 'max_age_hours must be at most 87600' })
  @Min(0, { message: 'max_age_hours must not be negative' })
  @IsInt({ message: 'max_age_hours must be a whole number of hours' })
  @Transform(({ value }) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value))
  @IsOptional()
  max_age_hours?: number;
}
