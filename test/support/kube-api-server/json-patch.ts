import { isDeepStrictEqual } from 'node:util';
import { isRecord } from './kube-object.js';
import { statusErrors } from './kube-status.js';

/** RFC 7386 JSON Merge Patch; also used for strategic merge patch, whose list merge keys are not modelled. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isRecord(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** RFC 6902 JSON Patch, the default patch type of @kubernetes/client-node. */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw statusErrors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let document = structuredClone(target);
  for (const raw of operations) {
    if (!isRecord(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') throw statusErrors.badRequest('invalid JSON Patch');
    const operation: Operation = { op: raw['op'], path: raw['path'], from: typeof raw['from'] === 'string' ? raw['from'] : undefined, value: raw['value'] };
    document = applyOperation(document, operation);
  }
  return document;
}

function applyOperation(document: unknown, operation: Operation): unknown {
  switch (operation.op) {
    case 'add':
      return setAt(document, operation.path, structuredClone(operation.value), 'add');
    case 'replace':
      getAt(document, operation.path);
      return setAt(document, operation.path, structuredClone(operation.value), 'replace');
    case 'remove':
      return removeAt(document, operation.path);
    case 'move': {
      const value = getAt(document, operation.from ?? '');
      return setAt(removeAt(document, operation.from ?? ''), operation.path, value, 'add');
    }
    case 'copy':
      return setAt(document, operation.path, structuredClone(getAt(document, operation.from ?? '')), 'add');
    case 'test':
      if (!isDeepStrictEqual(getAt(document, operation.path), operation.value)) throw statusErrors.invalid('', '', '', [{ reason: 'FieldValueInvalid', message: `testing value ${operation.path} failed: test failed`, field: operation.path }]);
      return document;
    default:
      throw statusErrors.badRequest(`Unexpected kind: ${operation.op}`);
  }
}

function tokens(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw statusErrors.badRequest(`JSON pointer must start with '/': ${path}`);
  return path.slice(1).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(document: unknown, path: string): unknown {
  let current = document;
  for (const token of tokens(path)) {
    if (Array.isArray(current) && /^\d+$/.test(token) && Number(token) < current.length) current = current[Number(token)];
    else if (isRecord(current) && token in current) current = current[token];
    else throw statusErrors.internal(`doc is missing path: "${path}": missing value`);
  }
  return current;
}

function parentOf(document: unknown, path: string): { parent: unknown; last: string } {
  const all = tokens(path);
  if (all.length === 0) throw statusErrors.badRequest('JSON Patch on the document root is not supported');
  const parentPath = all.slice(0, -1).map((token) => `/${token.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  return { parent: getAt(document, parentPath), last: all[all.length - 1] };
}

function setAt(document: unknown, path: string, value: unknown, mode: 'add' | 'replace'): unknown {
  const { parent, last } = parentOf(document, path);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index > parent.length) throw statusErrors.internal(`add operation does not apply: doc is missing path: "${path}"`);
    parent.splice(index, mode === 'add' ? 0 : 1, value);
  } else if (isRecord(parent)) parent[last] = value;
  else throw statusErrors.internal(`doc is missing path: "${path}"`);
  return document;
}

function removeAt(document: unknown, path: string): unknown {
  getAt(document, path);
  const { parent, last } = parentOf(document, path);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isRecord(parent)) delete parent[last];
  return document;
}
