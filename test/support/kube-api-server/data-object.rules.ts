import { isRecord, type KubeObject } from './kube-object.js';
import type { StatusCause } from './kube-status.js';
import { causes, configKeyErrors } from './name-rules.js';

const MAX_DATA_BYTES = 1024 * 1024;

function stringMap(value: unknown): Record<string, string> {
  return isRecord(value) ? (Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<string, string>) : {};
}

export function configMapErrors(object: KubeObject): StatusCause[] {
  const data = stringMap(object['data']);
  const binary = stringMap(object['binaryData']);
  const errors = [
    ...Object.keys(data).flatMap((key) => configKeyErrors(`data[${key}]`, key)),
    ...Object.keys(binary).flatMap((key) => configKeyErrors(`binaryData[${key}]`, key)),
    ...Object.keys(binary)
      .filter((key) => key in data)
      .map((key) => causes.invalid(`binaryData[${key}]`, key, 'duplicate of key present in data')),
  ];
  const size =
    Object.entries(data).reduce((sum, [key, value]) => sum + key.length + Buffer.byteLength(value), 0) +
    Object.entries(binary).reduce((sum, [key, value]) => sum + key.length + Buffer.from(value, 'base64').length, 0);
  if (size > MAX_DATA_BYTES) errors.push({ reason: 'FieldValueTooLong', message: `Too long: must have at most ${MAX_DATA_BYTES} bytes`, field: '[]' });
  return errors;
}

/** Secret data is stored base64; `stringData` has already been folded into it. */
export function secretErrors(object: KubeObject): StatusCause[] {
  const data = stringMap(object['data']);
  const errors = Object.keys(data).flatMap((key) => configKeyErrors(`data[${key}]`, key));
  const size = Object.entries(data).reduce((sum, [key, value]) => sum + key.length + Buffer.from(value, 'base64').length, 0);
  if (size > MAX_DATA_BYTES) errors.push({ reason: 'FieldValueTooLong', message: `Too long: must have at most ${MAX_DATA_BYTES} bytes`, field: 'data' });
  if (object['type'] === 'kubernetes.io/dockerconfigjson') errors.push(...dockerConfigJsonErrors(data));
  return errors;
}

function dockerConfigJsonErrors(data: Record<string, string>): StatusCause[] {
  const field = 'data[.dockerconfigjson]';
  const encoded = data['.dockerconfigjson'];
  if (encoded === undefined || encoded === '') return [causes.required(field)];
  try {
    JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    return [];
  } catch (error) {
    return [causes.invalid(field, '<secret contents redacted>', error instanceof Error ? error.message : String(error))];
  }
}

/** Real decoding of a `[]byte` field rejects anything that is not standard base64. */
export function invalidBase64Field(object: KubeObject, field: 'data' | 'binaryData'): string | undefined {
  const map = stringMap(object[field]);
  return Object.keys(map).find((key) => !/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(map[key]));
}
