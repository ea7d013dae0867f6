import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidInputError } from '#libs/errors';

const firstMessages = (errors: ValidationError[]): string[] =>
  errors.flatMap((e) => [...Object.values(e.constraints ?? {}).slice(0, 1), ...firstMessages(e.children ?? [])]);

/** DTO validation whose failures are domain errors, answered 400 by the filter. */
export const validationPipe = () =>
  new ValidationPipe({
    transform: true,
    whitelist: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => new InvalidInputError(firstMessages(errors).join('; ')),
  });
