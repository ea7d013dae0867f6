import { ArgumentMetadata, ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { InvalidInputError } from '#libs/errors';

const firstMessages = (errors: ValidationError[]): string[] =>
  errors.flatMap((e) => [...Object.values(e.constraints ?? {}).slice(0, 1), ...firstMessages(e.children ?? [])]);

/**
 * A DTO class may say which values plainly pass its rules, and the instance
 * class-validator would make of them: `passedAsIs` returns that instance, or
 * undefined for anything it is not sure of, which then goes through
 * class-validator. So every refusal, and its message, stays class-validator's.
 */
export interface ObviouslyValid<T> {
  passedAsIs(value: unknown): T | undefined;
}

const hasQuickCheck = (metatype: unknown): metatype is ObviouslyValid<object> =>
  typeof (metatype as Partial<ObviouslyValid<object>> | undefined)?.passedAsIs === 'function';

export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  transform: true,
  whitelist: true,
  stopAtFirstError: true,
  exceptionFactory: (errors) => new InvalidInputError(firstMessages(errors).join('; ')),
};

/**
 * DTO validation whose failures are domain errors, answered 400 by the
 * filter. class-validator costs tens of microseconds a request; a DTO on a
 * hot path (build/start) skips it for the values it declares plainly valid.
 */
class DtoValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const quick = metadata.type === 'body' && hasQuickCheck(metadata.metatype) ? metadata.metatype.passedAsIs(value) : undefined;
    return quick ?? super.transform(value, metadata);
  }
}

export const validationPipe = () => new DtoValidationPipe(VALIDATION_OPTIONS);
