import { DependencyUnavailableError } from '#libs/errors';
import type { OpenWhiskCredentials } from './authorization-header.js';

export interface CouchdbConnectionOptions {
  /** Base URL, e.g. `http://couchdb:5984`. */
  readonly url: string;
  readonly user?: string;
  readonly password?: string;
  /** Database name prefix; OpenServerless uses `nuvolaris_`. */
  readonly prefix: string;
  readonly timeoutMs?: number;
}

/** The part of an OpenWhisk subjects document the deployer reads. */
export interface SubjectDocument {
  readonly subject: string;
  readonly namespaces: ReadonlyArray<{ readonly name?: unknown; readonly uuid?: unknown; readonly key?: unknown }>;
}

/** The part of an OpenServerless users_metadata document the deployer reads. */
export interface UserMetadataDocument {
  readonly login?: unknown;
  readonly env?: unknown;
  readonly userenv?: unknown;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEPENDENCY = 'couchdb';

/** CouchDB's subjects and users_metadata databases, read through `_find`. */
export class CouchdbSubjectsRepository {
  private readonly baseUrl: string;
  private readonly authorization: string | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: CouchdbConnectionOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.authorization =
      options.user === undefined
        ? undefined
        : `Basic ${Buffer.from(`${options.user}:${options.password ?? ''}`).toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async findSubjectByCredentials({ uuid, key }: OpenWhiskCredentials): Promise<SubjectDocument | null> {
    const docs = await this.find('subjects', {
      selector: { namespaces: { $elemMatch: { uuid, key } } },
      fields: ['subject', 'namespaces'],
      limit: 1,
    });
    const doc = docs?.[0];
    if (!isRecord(doc) || typeof doc.subject !== 'string' || !Array.isArray(doc.namespaces)) return null;
    // Re-check the match here: the key must equal exactly, whatever the server's selector semantics.
    const matches = doc.namespaces.some(
      (namespace: unknown) => isRecord(namespace) && namespace.uuid === uuid && namespace.key === key,
    );
    return matches ? { subject: doc.subject, namespaces: doc.namespaces } : null;
  }

  async findUserMetadata(login: string): Promise<UserMetadataDocument | null> {
    const docs = await this.find(
      'users_metadata',
      { selector: { login: { $eq: login } }, fields: ['login', 'env', 'userenv'], limit: 1 },
      { missingDatabaseIsEmpty: true },
    );
    const doc = docs?.[0];
    return isRecord(doc) ? doc : null;
  }

  private async find(
    database: string,
    query: object,
    { missingDatabaseIsEmpty = false } = {},
  ): Promise<unknown[] | null> {
    const name = `${this.options.prefix}${database}`;
    const url = `${this.baseUrl}/${encodeURIComponent(name)}/_find`;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.authorization) headers.authorization = this.authorization;

    let response: Response;
    let body: unknown;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(query),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (response.status === 404 && missingDatabaseIsEmpty) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw unavailable(`CouchDB answered ${response.status} on ${name}`);
      }
      body = await response.json();
    } catch (error) {
      if (error instanceof DependencyUnavailableError) throw error;
      throw unavailable(`CouchDB cannot be reached for ${name}: ${reasonOf(error)}`);
    }
    if (!isRecord(body) || !Array.isArray(body.docs)) {
      throw unavailable(`CouchDB answered an unexpected body on ${name}`);
    }
    return body.docs;
  }
}

function unavailable(message: string): DependencyUnavailableError {
  return new DependencyUnavailableError(message, DEPENDENCY);
}

function reasonOf(error: unknown): string {
  // Checked by shape: the DOMException of a timeout may come from another realm.
  if (!isRecord(error)) return 'unknown error';
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = error.cause;
  if (isRecord(cause) && typeof cause.code === 'string') return cause.code;
  return typeof error.message === 'string' ? error.message : 'unknown error';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
