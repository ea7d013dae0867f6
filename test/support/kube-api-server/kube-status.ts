/** Kubernetes `Status` failures, thrown inside the server and written once by the router. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class KubeStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): KubeStatus {
    const status: KubeStatus = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, code: this.code };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** A resource as the API names it in messages: `configmaps`, `jobs.batch`. */
export interface ResourceName {
  plural: string;
  group: string;
}

function qualified(resource: ResourceName): string {
  return resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
}

export const statusErrors = {
  notFound: (resource: ResourceName, name: string) =>
    new KubeStatusError(404, 'NotFound', `${qualified(resource)} "${name}" not found`, { name, group: resource.group || undefined, kind: resource.plural }),
  pathNotFound: () => new KubeStatusError(404, 'NotFound', 'the server could not find the requested resource', {}),
  alreadyExists: (resource: ResourceName, name: string) =>
    new KubeStatusError(409, 'AlreadyExists', `${qualified(resource)} "${name}" already exists`, { name, group: resource.group || undefined, kind: resource.plural }),
  conflict: (resource: ResourceName, name: string) =>
    new KubeStatusError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group: resource.group || undefined, kind: resource.plural },
    ),
  invalid: (kind: string, group: string, name: string, causes: StatusCause[]) =>
    new KubeStatusError(
      422,
      'Invalid',
      `${group ? `${kind}.${group}` : kind} "${name}" is invalid: ${causes.map((cause) => `${cause.field}: ${cause.message}`).join(', ')}`,
      { name, group: group || undefined, kind, causes },
    ),
  badRequest: (message: string) => new KubeStatusError(400, 'BadRequest', message),
  methodNotAllowed: () => new KubeStatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
  unsupportedMediaType: (contentType: string) =>
    new KubeStatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType})`),
  unauthorized: () => new KubeStatusError(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (message: string) => new KubeStatusError(403, 'Forbidden', message),
  expired: (message: string) => new KubeStatusError(410, 'Expired', message),
  internal: (message: string) => new KubeStatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: 'UnexpectedServerResponse', message }] }),
  tooManyRequests: () => new KubeStatusError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 }),
};

export function successStatus(details: StatusDetails): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}
