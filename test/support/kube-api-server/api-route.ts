import { statusErrors } from './kube-status.js';
import { resourceByPlural, type ResourceType } from './resource-catalog.js';

export interface ApiRoute {
  resource: ResourceType;
  /** Absent for cluster-scoped resources and for all-namespace collections of namespaced ones. */
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * Parses the REST paths of the Kubernetes API:
 * `/api/v1[/namespaces/{ns}]/{plural}[/{name}[/{sub}]]` and the same under `/apis/{group}/{version}`.
 */
export function parseRoute(pathname: string): ApiRoute {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) [group, version, rest] = ['', parts[1], parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 3) [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
  else throw statusErrors.pathNotFound();

  const lookup = (plural: string | undefined) => {
    const found = plural === undefined ? undefined : resourceByPlural(group, version, plural);
    if (!found) throw statusErrors.pathNotFound();
    return found;
  };
  const namespaces = resourceByPlural('', 'v1', 'namespaces');
  const namespaceSubresource = rest.length === 3 && namespaces && ['status', 'finalize'].includes(rest[2]);
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
    const resource = lookup(rest[2]);
    if (!resource.namespaced || rest.length > 5) throw statusErrors.pathNotFound();
    const route: ApiRoute = { resource, namespace: rest[1], name: rest[3], subresource: rest[4] };
    return checkSubresource(route);
  }
  const resource = lookup(rest[0]);
  if (rest.length > 3) throw statusErrors.pathNotFound();
  return checkSubresource({ resource, name: rest[1], subresource: rest[2] });
}

function checkSubresource(route: ApiRoute): ApiRoute {
  if (route.subresource !== undefined && !route.resource.subresources.includes(route.subresource)) throw statusErrors.pathNotFound();
  return route;
}
