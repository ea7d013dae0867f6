import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsOptional, IsString, Matches } from 'class-validator';

export class EnsureBuildDto {
  @ApiProperty({ description: 'A builder id of the catalog (`GET /build/capabilities`).', example: 'python:3.13', pattern: '^[a-z0-9][a-z0-9._:-]{0,62}$' })
  @Matches(/^[a-z0-9][a-z0-9._:-]{0,62}$/, { message: 'builder must be a builder id such as python:3.13' })
  @IsString({ message: 'builder must be a string' })
  @IsDefined({ message: 'builder is required' })
  builder: string;

  @ApiPropertyOptional({
    format: 'byte',
    description: "Standard base64 of the builder kind's dependency file, at most MAX_FILE_BYTES decoded; empty or absent: the builder's image as it is.",
  })
  @IsString({ message: 'file must be a string' })
  @IsOptional()
  file?: string;

  @ApiPropertyOptional({ default: true, description: 'Start a failed build again (false: answer 409 with its failure).' })
  @IsBoolean({ message: 'retry must be a boolean' })
  @IsOptional()
  retry?: boolean;
}
