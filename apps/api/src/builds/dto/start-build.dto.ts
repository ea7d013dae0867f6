import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { RUNTIME_KINDS } from '#libs/runtimes';

const required = (field: string) => ({ message: `${field} is required` });
const text = (field: string) => ({ message: `${field} must be a string` });

// class-validator runs a property's rules bottom-up and the pipe stops at the
// first failure, so the most basic rule sits closest to the property.
export class StartBuildDto {
  @ApiProperty({
    description: 'The runtime image to extend.',
    example: 'apache/openserverless-runtime-python:v3.12-2506091954',
    maxLength: 255,
  })
  @MaxLength(255, { message: 'source must be at most 255 characters' })
  @MinLength(1, required('source'))
  @IsString(text('source'))
  @IsDefined(required('source'))
  source: string;

  @ApiProperty({
    description: "`<user>:<tag>` of the image to produce; the user must be the caller's login, lowercased.",
    example: 'devel:python-2bdf5c3fd5d2a2f3c5e1f7a4b1a9e0c6',
    maxLength: 256,
  })
  @MaxLength(256, { message: 'target must be at most 256 characters' })
  @MinLength(1, required('target'))
  @IsString(text('target'))
  @IsDefined(required('target'))
  target: string;

  @ApiProperty({ enum: [...RUNTIME_KINDS], description: 'Runtime kind; decides which dependency file `file` is.' })
  @IsIn(RUNTIME_KINDS, { message: `kind must be one of: ${RUNTIME_KINDS.join(', ')}` })
  @IsString(text('kind'))
  @IsDefined(required('kind'))
  kind: string;

  @ApiPropertyOptional({
    format: 'byte',
    description:
      'Standard base64 (line breaks allowed) of the UTF-8 dependency file, at most MAX_FILE_BYTES decoded. ' +
      "Without it the source is re-tagged under the user's name.",
  })
  @IsString(text('file'))
  @IsOptional()
  file?: string;

  @ApiPropertyOptional({ default: false, description: 'Rebuild even if the exact image already exists.' })
  @IsBoolean({ message: 'force must be a boolean' })
  @IsOptional()
  force?: boolean;
}
