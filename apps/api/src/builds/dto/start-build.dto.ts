import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { RUNTIME_KINDS, isRuntimeKind } from '#libs/runtimes';

const required = (field: string) => ({ message: `${field} is required` });
const text = (field: string) => ({ message: `${field} must be a string` });

const SOURCE_MAX = 255;
const TARGET_MAX = 256;
const FIELDS = new Set(['source', 'target', 'kind', 'file', 'force']);
/** Printable ASCII: class-validator's length counts such a string's characters as String.length does. */
const printable = (max: number) => new RegExp(`^[\\x20-\\x7e]{1,${max}}$`);
const SOURCE = printable(SOURCE_MAX);
const TARGET = printable(TARGET_MAX);

// class-validator runs a property's rules bottom-up and the pipe stops at the
// first failure, so the most basic rule sits closest to the property.
export class StartBuildDto {
  @ApiProperty({
    description: 'The runtime image to extend.',
    example: 'apache/openserverless-runtime-python:v3.12-2506091954',
    maxLength: SOURCE_MAX,
  })
  @MaxLength(SOURCE_MAX, { message: `source must be at most ${SOURCE_MAX} characters` })
  @MinLength(1, required('source'))
  @IsString(text('source'))
  @IsDefined(required('source'))
  source: string;

  @ApiProperty({
    description: "`<user>:<tag>` of the image to produce; the user must be the caller's login, lowercased.",
    example: 'devel:python-2bdf5c3fd5d2a2f3c5e1f7a4b1a9e0c6',
    maxLength: TARGET_MAX,
  })
  @MaxLength(TARGET_MAX, { message: `target must be at most ${TARGET_MAX} characters` })
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

  /**
   * The request as class-validator would pass it, for a body that plainly
   * meets the rules above (ObviouslyValid); undefined sends it through them.
   * The spec beside this file holds the two to the same answers.
   */
  static passedAsIs(value: unknown): StartBuildDto | undefined {
    if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return undefined;
    const body = value as Record<string, unknown>;
    for (const key of Object.keys(body)) if (!FIELDS.has(key)) return undefined;
    const { source, target, kind, file, force } = body;
    if (typeof source !== 'string' || !SOURCE.test(source) || typeof target !== 'string' || !TARGET.test(target)) return undefined;
    if (!isRuntimeKind(kind) || (file !== undefined && typeof file !== 'string') || (force !== undefined && typeof force !== 'boolean')) {
      return undefined;
    }
    const dto = new StartBuildDto();
    Object.assign(dto, body);
    return dto;
  }
}
