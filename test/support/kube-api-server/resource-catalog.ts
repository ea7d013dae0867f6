import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';

/** A schema-checking model from kubernetes-models: `new Model(body).validate()` throws on schema errors. */
type SchemaModel = new (data: never) => { validate(): void };

export interface ResourceType {
  plural: string;
  kind: string;
  listKind: string;
  group: string;
  version: string;
  apiVersion: string;
  namespaced: boolean;
  /** The client-node model whose attribute map lists the known fields. */
  clientModel: string;
  schema: SchemaModel;
  /** Only workload resources track spec changes in metadata.generation. */
  tracksGeneration: boolean;
  /** Subresources the real API serves for this resource and this server models. */
  subresources: readonly string[];
  /** Namespaces cannot be deleted as a collection. */
  allowsDeleteCollection: boolean;
}

function resource(plural: string, kind: string, group: string, schema: SchemaModel, options: Partial<ResourceType> = {}): ResourceType {
  const version = 'v1';
  return {
    plural,
    kind,
    listKind: `${kind}List`,
    group,
    version,
    apiVersion: group ? `${group}/${version}` : version,
    namespaced: true,
    clientModel: `V1${kind}`,
    schema,
    tracksGeneration: false,
    subresources: [],
    allowsDeleteCollection: true,
    ...options,
  };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  resource('configmaps', 'ConfigMap', '', ConfigMap),
  resource('secrets', 'Secret', '', Secret),
  resource('pods', 'Pod', '', Pod, { tracksGeneration: true, subresources: ['log', 'status'] }),
  resource('namespaces', 'Namespace', '', Namespace, { namespaced: false, allowsDeleteCollection: false, subresources: ['status'] }),
  resource('jobs', 'Job', 'batch', Job, { tracksGeneration: true, subresources: ['status'] }),
];

export type KindName = 'ConfigMap' | 'Secret' | 'Pod' | 'Namespace' | 'Job';

export function resourceByPlural(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((type) => type.group === group && type.version === version && type.plural === plural);
}

export function resourceByKind(kind: KindName): ResourceType {
  const found = RESOURCE_TYPES.find((type) => type.kind === kind);
  if (!found) throw new Error(`unknown kind ${kind}`);
  return found;
}

export function resourceByApiVersionKind(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((type) => type.apiVersion === apiVersion && type.kind === kind);
}
