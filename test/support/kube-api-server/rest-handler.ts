import type { ApiRoute } from './api-route.js';
import type { KubeVerb } from './call-recorder.js';
import { FieldSelector } from './field-selector.js';
import { applyJsonPatch, applyMergePatch } from './json-patch.js';
import { isRecord, type KubeObject, type StoredObject } from './kube-object.js';
import { statusErrors } from './kube-status.js';
import { LabelSelector } from './label-selector.js';
import { paginate } from './list-pagination.js';
import { deleteOptionsFrom, type ObjectDeleter } from './object-deleter.js';
import type { ObjectService } from './object-service.js';
import type { ObjectStore } from './object-store.js';
import { decodeObject, parseFieldValidation } from './object-validator.js';
import type { WatchRequest } from './watch-hub.js';

export interface RestRequest {
  method: string;
  route: ApiRoute;
  query: URLSearchParams;
  contentType: string;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
}

export type RestReply = { kind: 'json'; code: number; body: unknown; warnings: string[] } | { kind: 'watch'; watch: WatchRequest } | { kind: 'log' };

/** Maps method and route to a Kubernetes verb, as the apiserver's request-info resolver does. */
export function verbOf(method: string, route: ApiRoute, query: URLSearchParams): KubeVerb {
  const watching = query.get('watch') === 'true' || query.get('watch') === '1';
  if (route.name === undefined) {
    if (method === 'GET') return watching ? 'watch' : 'list';
    if (method === 'POST') return 'create';
    if (method === 'DELETE') return 'deletecollection';
    return 'unknown';
  }
  const verbs: Record<string, KubeVerb> = { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  return verbs[method] ?? 'unknown';
}

/** The verbs of the generic registry over the object store. */
export class RestHandler {
  constructor(
    private readonly store: ObjectStore,
    private readonly service: ObjectService,
    private readonly deleter: ObjectDeleter,
  ) {}

  handle(request: RestRequest): RestReply {
    const { route, method, query } = request;
    const verb = verbOf(method, route, query);
    if (route.subresource === 'log') {
      if (method !== 'GET') throw statusErrors.methodNotAllowed();
      return { kind: 'log' };
    }
    const allNamespaces = route.resource.namespaced && route.namespace === undefined;
    if (route.subresource === 'status' && !['get', 'update', 'patch'].includes(verb)) throw statusErrors.methodNotAllowed();
    if (allNamespaces && verb !== 'list' && verb !== 'watch') throw statusErrors.methodNotAllowed();
    switch (verb) {
      case 'list':
        return this.json(200, this.list(route, query));
      case 'watch':
        return { kind: 'watch', watch: this.watchRequest(route, query) };
      case 'create':
        return this.create(request);
      case 'get':
        return this.json(200, this.get(route));
      case 'update':
        return this.update(request, request.body);
      case 'patch':
        return this.update(request, this.patched(request));
      case 'delete': {
        const outcome = this.deleter.delete(route.resource, route.namespace, route.name ?? '', deleteOptionsFrom(query, request.body));
        return { kind: 'json', ...outcome };
      }
      case 'deletecollection':
        return this.deleteCollection(request);
      default:
        throw statusErrors.methodNotAllowed();
    }
  }

  private create(request: RestRequest): RestReply {
    if (request.body === undefined) throw statusErrors.badRequest('the body of the request was empty');
    const { object, warnings } = decodeObject(request.route.resource, request.body, parseFieldValidation(request.query.get('fieldValidation')));
    // The decoded body is this request's own, read by no one after: stored as it is.
    const created = this.service.create(request.route.resource, object, request.route.namespace, true);
    return { kind: 'json', code: 201, body: created, warnings };
  }

  private update(request: RestRequest, body: unknown): RestReply {
    if (body === undefined) throw statusErrors.badRequest('the body of the request was empty');
    const { route } = request;
    const { object, warnings } = decodeObject(route.resource, body, parseFieldValidation(request.query.get('fieldValidation')));
    const subresource = route.subresource === 'status' ? 'status' : undefined;
    const updated = this.service.update(route.resource, route.namespace, route.name ?? '', object, subresource);
    return { kind: 'json', code: 200, body: updated, warnings };
  }

  private patched(request: RestRequest): unknown {
    const current = this.get(request.route);
    const type = request.contentType.split(';')[0].trim();
    if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
      if (!isRecord(request.body)) throw statusErrors.badRequest('the body of the request was in an unknown format');
      return applyMergePatch(current, request.body);
    }
    if (type === 'application/json-patch+json') return applyJsonPatch(current, request.body);
    throw statusErrors.unsupportedMediaType(type);
  }

  private get(route: ApiRoute): StoredObject {
    const found = this.store.peek(route.resource, route.namespace, route.name ?? '');
    if (!found) throw statusErrors.notFound(route.resource, route.name ?? '');
    return found;
  }

  private list(route: ApiRoute, query: URLSearchParams): Record<string, unknown> {
    const labels = LabelSelector.parse(query.get('labelSelector'));
    const fields = FieldSelector.parse(query.get('fieldSelector'), route.resource);
    const matching = this.store.listStored(route.resource, route.namespace, (object) => labels.matches(object.metadata.labels) && fields.matches(object), labels.equality);
    const revision = this.store.currentRevision;
    const page = paginate(matching, query, revision, this.store.compactedRevision, labels.isEmpty && !query.get('fieldSelector'));
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (page.continueToken) metadata['continue'] = page.continueToken;
    if (page.remainingItemCount !== undefined) metadata['remainingItemCount'] = page.remainingItemCount;
    return { kind: route.resource.listKind, apiVersion: route.resource.apiVersion, metadata, items: page.items.map(withoutTypeMeta) };
  }

  private watchRequest(route: ApiRoute, query: URLSearchParams): WatchRequest {
    const timeout = query.get('timeoutSeconds');
    return {
      resource: route.resource,
      namespace: route.namespace,
      labelSelector: LabelSelector.parse(query.get('labelSelector')),
      fieldSelector: FieldSelector.parse(query.get('fieldSelector'), route.resource),
      resourceVersion: query.get('resourceVersion') ?? undefined,
      allowBookmarks: query.get('allowWatchBookmarks') === 'true',
      timeoutSeconds: timeout === null ? undefined : Number(timeout),
    };
  }

  private deleteCollection(request: RestRequest): RestReply {
    const { route, query } = request;
    if (!route.resource.allowsDeleteCollection) throw statusErrors.methodNotAllowed();
    const labels = LabelSelector.parse(query.get('labelSelector'));
    const fields = FieldSelector.parse(query.get('fieldSelector'), route.resource);
    const options = deleteOptionsFrom(query, request.body);
    const deleted: KubeObject[] = [];
    const warnings = new Set<string>();
    for (const object of this.store.list(route.resource, route.namespace)) {
      if (!labels.matches(object.metadata.labels) || !fields.matches(object)) continue;
      const outcome = this.deleter.delete(route.resource, route.namespace, object.metadata.name, options);
      outcome.warnings.forEach((warning) => warnings.add(warning));
      deleted.push(withoutTypeMeta(object));
    }
    const body = { kind: route.resource.listKind, apiVersion: route.resource.apiVersion, metadata: { resourceVersion: String(this.store.currentRevision) }, items: deleted };
    return { kind: 'json', code: 200, body, warnings: [...warnings] };
  }

  private json(code: number, body: unknown): RestReply {
    return { kind: 'json', code, body, warnings: [] };
  }
}

/** Items of a typed list carry no kind/apiVersion on the wire. */
function withoutTypeMeta(object: KubeObject): KubeObject {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = object;
  return rest as KubeObject;
}
