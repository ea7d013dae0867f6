import * as clientModels from '@kubernetes/client-node';
import { isRecord } from './kube-object.js';

interface AttributeType {
  baseName: string;
  type: string;
}

interface GeneratedModel {
  getAttributeTypeMap(): AttributeType[];
}

const models: Record<string, unknown> = { ...clientModels };

function modelNamed(type: string): GeneratedModel | undefined {
  const candidate = models[type];
  return typeof candidate === 'function' && 'getAttributeTypeMap' in candidate ? (candidate as unknown as GeneratedModel) : undefined;
}

/** Field name → declared type, per model; built once per model, as every request body walks the same few. */
const attributeMaps = new Map<string, Map<string, string> | undefined>();

function attributesOf(modelName: string): Map<string, string> | undefined {
  if (!attributeMaps.has(modelName)) {
    const model = modelNamed(modelName);
    attributeMaps.set(modelName, model && new Map(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute.type])));
  }
  return attributeMaps.get(modelName);
}

/**
 * Finds fields the Kubernetes OpenAPI schema does not declare and removes them
 * from `value`, returning their paths (`spec.template.spec.foo`). The schema
 * comes from the attribute maps of @kubernetes/client-node's generated models,
 * which are generated from the same OpenAPI document as the API server's.
 */
export function dropUnknownFields(modelName: string, value: unknown, path = ''): string[] {
  const attributes = attributesOf(modelName);
  if (!attributes || !isRecord(value)) return [];
  const unknown: string[] = [];
  for (const [field, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${field}` : field;
    const type = attributes.get(field);
    if (type === undefined) {
      unknown.push(childPath);
      delete value[field];
    } else unknown.push(...dropInside(type, child, childPath));
  }
  return unknown;
}

function dropInside(type: string, value: unknown, path: string): string[] {
  const arrayOf = type.match(/^Array<(.+)>$/);
  if (arrayOf && Array.isArray(value)) return value.flatMap((item, index) => dropInside(arrayOf[1], item, `${path}[${index}]`));
  const mapOf = type.match(/^\{ \[key: string\]: (.+); \}$/);
  if (mapOf && isRecord(value)) return Object.entries(value).flatMap(([key, item]) => dropInside(mapOf[1], item, `${path}[${key}]`));
  return dropUnknownFields(type, value, path);
}
