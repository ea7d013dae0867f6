import { IsBoolean, IsDefined, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { RUNTIME_KINDS } from '#libs/runtimes';

const required = (field: string) => ({ message: `${field} is required` });
const text = (field: string) => ({ message: `${field} must be a string` });

// class-validator runs a property's rules bottom-up and the pipe stops at the
// first failure, so the most basic rule sits closest to the property.
export class StartBuildDto {
  /** The runtime image to extend. */
  @MaxLength(255, { message: 'source must be at most 255 characters' })
  @MinLength(1, required('source'))
  @IsString(text('source'))
  @IsDefined(required('source'))
  source: string;

  /** `<user>:<tag>` of the image to produce. */
  @MaxLength(256, { message: 'target must be at most 256 characters' })
  @MinLength(1, required('target'))
  @IsString(text('target'))
  @IsDefined(required('target'))
  target: string;

  @IsIn(RUNTIME_KINDS, { message: `kind must be one of: ${RUNTIME_KINDS.join(', ')}` })
  @IsString(text('kind'))
  @IsDefined(required('kind'))
  kind: string;

  /** Base64 of the dependency file. */
  @IsString(text('file'))
  @IsOptional()
  file?: string;

  /** Rebuild even if the image exists. */
  @IsBoolean({ message: 'force must be a boolean' })
  @IsOptional()
  force?: boolean;
}
