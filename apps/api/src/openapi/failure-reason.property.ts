import { ApiPropertyOptional } from '@nestjs/swagger';
import { FAILURE_REASON_NAMES } from '#libs/errors';

/** `reason` of a failed build: one of the failure catalogue's names, never a free string. */
export const ApiFailureReason = (description: string): PropertyDecorator =>
  ApiPropertyOptional({ enum: FAILURE_REASON_NAMES, enumName: 'FailureReason', example: 'BuildFailed', description });
