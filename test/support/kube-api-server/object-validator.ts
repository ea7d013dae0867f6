import { configMapErrors, invalidBase64Field, secretErrors } from './data-object.rules.js';
import { isRecord, type KubeObject } from './kube-object.js';
import { KubeStatusError, statusErrors, type StatusCause } from './kube-status.js';
import { causes } from './name-rules.js';
import { objectMetaErrors } from './object-meta.rules.js';
import { jobErrors, podErrors } from './pod-spec.rules.js';
import type { ResourceType } from './resource-catalog.js';
import { dropUnknownFields } from './unknown-fields.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const DECODE_KEYWORDS = new Set(['type', 'oneOf', 'anyOf', 'format']);

/**
 * What the apiserver does while decoding a request body: check the type meta,
 * the JSON types of every field (400 on mismatch), the schema's required and
 * enum constraints (422), and unknown fields according to `fieldValidation`.
 * Returns the decoded object, with unknown fields dropped, and any warnings.
 */
export function decodeObject(resource: ResourceType, body: unknown, fieldValidation: FieldValidation): { object: KubeObject; warnings: string[] } {
  if (!isRecord(body)) throw statusErrors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
  if (body['apiVersion'] !== undefined && body['apiVersion'] !== resource.apiVersion) {
    throw statusErrors.badRequest(`the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${resource.apiVersion})`);
  }
  if (body['kind'] !== undefined && body['kind'] !== resource.kind) {
    throw statusErrors.badRequest(`the kind in the data (${String(body['kind'])}) does not match the expected kind (${resource.kind})`);
  }
  const copy = structuredClone(body);
  const object = { ...copy, apiVersion: resource.apiVersion, kind: resource.kind, metadata: isRecord(copy['metadata']) ? copy['metadata'] : {} } as KubeObject;
  const schemaErrors = runSchema(resource, object);
  const decodeError = schemaErrors.find((error) => DECODE_KEYWORDS.has(error.keyword));
  if (decodeError) {
    throw statusErrors.badRequest(
      `${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: json: cannot unmarshal ${fieldPath(decodeError.instancePath)}: ${decodeError.message ?? decodeError.keyword}`,
    );
  }
  for (const field of ['data', 'binaryData'] as const) {
    const bad = resource.kind !== 'ConfigMap' || field === 'binaryData' ? invalidBase64Field(object, field) : undefined;
    if (bad !== undefined) throw statusErrors.badRequest(`${resource.kind} in version "v1" cannot be handled as a ${resource.kind}: illegal base64 data at ${field}[${bad}]`);
  }
  const schemaCauses = schemaErrors.map(toCause);
  if (schemaCauses.length > 0) throw statusErrors.invalid(resource.kind, resource.group, object.metadata.name ?? '', schemaCauses);
  const unknown = dropUnknownFields(resource.clientModel, object);
  if (unknown.length > 0 && fieldValidation === 'Strict') {
    throw statusErrors.badRequest(`strict decoding error: ${unknown.map((path) => `unknown field "${path}"`).join(', ')}`);
  }
  return { object, warnings: fieldValidation === 'Warn' ? unknown.map((path) => `unknown field "${path}"`) : [] };
}

/** Validation after defaulting: the rules the OpenAPI schema cannot express. */
export function assertValid(resource: ResourceType, object: KubeObject): void {
  const errors = [...objectMetaErrors(resource, object), ...kindErrors(object)];
  if (errors.length > 0) throw statusErrors.invalid(resource.kind, resource.group, object.metadata.name ?? object.metadata.generateName ?? '', errors);
}

function kindErrors(object: KubeObject): StatusCause[] {
  switch (object.kind) {
    case 'ConfigMap':
      return configMapErrors(object);
    case 'Secret':
      return secretErrors(object);
    case 'Pod':
      return podErrors(object);
    case 'Job':
      return jobErrors(object);
    default:
      return [];
  }
}

export function parseFieldValidation(value: string | null): FieldValidation {
  if (value === null || value === '') return 'Warn';
  if (value === 'Ignore' || value === 'Warn' || value === 'Strict') return value;
  throw statusErrors.badRequest(`fieldValidation parameter unsupported: ${value}`);
}

function runSchema(resource: ResourceType, object: KubeObject): SchemaError[] {
  try {
    new resource.schema(object as never).validate();
    return [];
  } catch (error) {
    if (isRecord(error) && Array.isArray(error['errors'])) return error['errors'].filter(isRecord).map((entry) => entry as unknown as SchemaError);
    if (error instanceof KubeStatusError) throw error;
    throw statusErrors.internal(error instanceof Error ? error.message : String(error));
  }
}

function toCause(error: SchemaError): StatusCause {
  const field = fieldPath(error.instancePath);
  if (error.keyword === 'required') {
    const missing = String(error.params['missingProperty'] ?? '');
    return causes.required(field ? `${field}.${missing}` : missing);
  }
  if (error.keyword === 'enum') return causes.notSupported(field, null, (error.params['allowedValues'] as unknown[] | undefined)?.map(String) ?? []);
  return causes.invalid(field, null, error.message ?? error.keyword);
}

function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}
