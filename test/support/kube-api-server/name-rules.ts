import type { StatusCause } from './kube-status.js';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;
const CONFIG_KEY = '[-._a-zA-Z0-9]+';

const whole = (pattern: string) => new RegExp(`^(${pattern})$`);

/** Builds causes with the reasons and message wording of the real apiserver validation. */
export const causes = {
  required: (field: string, detail = ''): StatusCause => ({ reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field }),
  invalid: (field: string, value: unknown, detail: string): StatusCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field }),
  tooLong: (field: string, max: number): StatusCause => ({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${max} bytes`, field }),
  notSupported: (field: string, value: unknown, supported: string[]): StatusCause => ({
    reason: 'FieldValueNotSupported',
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}`,
    field,
  }),
  duplicate: (field: string, value: unknown): StatusCause => ({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(value)}`, field }),
  notFound: (field: string, value: unknown): StatusCause => ({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(value)}`, field }),
  forbidden: (field: string, detail: string): StatusCause => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field }),
};

export function dns1123SubdomainErrors(field: string, value: string): StatusCause[] {
  if (value.length > 253) return [causes.invalid(field, value, 'must be no more than 253 characters')];
  if (whole(DNS1123_SUBDOMAIN).test(value)) return [];
  return [
    causes.invalid(
      field,
      value,
      `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN}')`,
    ),
  ];
}

export function dns1123LabelErrors(field: string, value: string): StatusCause[] {
  if (value.length > 63) return [causes.invalid(field, value, 'must be no more than 63 characters')];
  if (whole(DNS1123_LABEL).test(value)) return [];
  return [
    causes.invalid(
      field,
      value,
      `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${DNS1123_LABEL}')`,
    ),
  ];
}

/** Label and annotation keys: optional DNS subdomain prefix, `/`, and a qualified name of at most 63 characters. */
export function qualifiedKeyErrors(field: string, key: string): StatusCause[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const errors: StatusCause[] = [];
  if (slash >= 0 && (prefix.length === 0 || prefix.length > 253 || !whole(DNS1123_SUBDOMAIN).test(prefix))) {
    errors.push(causes.invalid(field, key, `prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN}')`));
  }
  if (name.length === 0) errors.push(causes.invalid(field, key, 'name part must be non-empty'));
  else if (name.length > 63) errors.push(causes.invalid(field, key, 'name part must be no more than 63 characters'));
  else if (!whole(QUALIFIED_NAME).test(name)) {
    errors.push(
      causes.invalid(
        field,
        key,
        `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QUALIFIED_NAME}')`,
      ),
    );
  }
  return errors;
}

export function labelValueErrors(field: string, value: string): StatusCause[] {
  if (value.length > 63) return [causes.invalid(field, value, 'must be no more than 63 characters')];
  if (whole(LABEL_VALUE).test(value)) return [];
  return [
    causes.invalid(
      field,
      value,
      `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '${LABEL_VALUE}')`,
    ),
  ];
}

export function labelsErrors(field: string, labels: Record<string, string> | undefined): StatusCause[] {
  return Object.entries(labels ?? {}).flatMap(([key, value]) => [...qualifiedKeyErrors(field, key), ...labelValueErrors(field, value)]);
}

/** Keys of ConfigMap and Secret data. */
export function configKeyErrors(field: string, key: string): StatusCause[] {
  if (key.length > 253) return [causes.invalid(field, key, 'must be no more than 253 characters')];
  if (key === '.' || key === '..') return [causes.invalid(field, key, `must not be '${key}'`)];
  if (whole(CONFIG_KEY).test(key)) return [];
  return [
    causes.invalid(
      field,
      key,
      `a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '${CONFIG_KEY}')`,
    ),
  ];
}
