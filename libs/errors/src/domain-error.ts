/**
 * Errors raised inside the deployer. Each carries a machine-readable reason and
 * a human message; the HTTP layer maps the class to a status code in one place.
 */
export abstract class DomainError extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is malformed or names something that cannot be valid. */
export class InvalidInputError extends DomainError {
  constructor(message: string, reason = 'InvalidInput') {
    super(message, reason);
  }
}

/** The request carries more data than the service accepts. */
export class PayloadTooLargeError extends DomainError {
  constructor(message: string) {
    super(message, 'PayloadTooLarge');
  }
}

/** The caller could not be identified. */
export class UnauthenticatedError extends DomainError {
  constructor(message: string) {
    super(message, 'Unauthenticated');
  }
}

/** The caller is known but a rule forbids the request. */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super(message, 'Forbidden');
  }
}

/** The request contradicts the current state (e.g. cancelling a finished build). */
export class ConflictError extends DomainError {
  constructor(message: string) {
    super(message, 'Conflict');
  }
}

/** The caller is over a limit; they may retry after `retryAfterSeconds`. */
export class TooManyRequestsError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, 'TooManyRequests');
  }
}

/** The thing does not exist, or belongs to someone else (never tell which). */
export class NotFoundError extends DomainError {
  constructor(message: string) {
    super(message, 'NotFound');
  }
}

/** A dependency (Redis, CouchDB, the registry) cannot answer right now. */
export class DependencyUnavailableError extends DomainError {
  constructor(
    message: string,
    readonly dependency: string,
  ) {
    super(message, 'DependencyUnavailable');
  }
}

/**
 * Redis could not carry out a command: the connection is down, or it gave no
 * answer in time. Raised by the code that talks to Redis (repositories, queue
 * producers), never by a caller reading messages. `mayHaveApplied` says the
 * command may have reached Redis before the failure (its effect may stand).
 */
export class StoreUnavailableError extends DependencyUnavailableError {
  constructor(
    message: string,
    readonly mayHaveApplied: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, 'redis');
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

/** A dependency answered, but with something the deployer refuses to follow (a hostile or broken registry). */
export class BadGatewayError extends DomainError {
  constructor(
    message: string,
    readonly dependency: string,
  ) {
    super(message, 'BadGateway');
  }
}
