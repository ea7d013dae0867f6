/** The wire shape of any Kubernetes object as this server stores and serves it. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** A stored object always has a name, a uid and a resourceVersion. */
export interface StoredObject extends KubeObject {
  metadata: ObjectMeta & { name: string; uid: string; resourceVersion: string };
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function cloneObject<T>(value: T): T {
  // Stored objects are the API's JSON: a JSON round trip copies them faster than structuredClone.
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** The JSON text of each stored version, made once: the store never changes a version it holds. */
const storedTexts = new WeakMap<StoredObject, string>();

/** The JSON of a stored version (see ObjectStore), computed on first use and kept with it. */
export function storedJson(object: StoredObject): string {
  let text = storedTexts.get(object);
  if (text === undefined) {
    text = JSON.stringify(object);
    storedTexts.set(object, text);
  }
  return text;
}

/** JSON.stringify, reusing the text of a stored version that already has one. */
export function toJson(value: unknown): string {
  return (typeof value === 'object' && value !== null && storedTexts.get(value as StoredObject)) || JSON.stringify(value);
}

/** Reads a nested record field, or an empty record when absent or not an object. */
export function recordAt(value: unknown, ...path: string[]): Record<string, unknown> {
  let current: unknown = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return isRecord(current) ? current : {};
}

export function arrayAt(value: unknown, ...path: string[]): Record<string, unknown>[] {
  const parent = recordAt(value, ...path.slice(0, -1));
  const found = parent[path[path.length - 1]];
  return Array.isArray(found) ? found.filter(isRecord) : [];
}
