import type { DocumentBuilder } from '@nestjs/swagger';

type SecurityScheme = NonNullable<Parameters<DocumentBuilder['addSecurity']>[1]>;

/** Name of the security scheme the build endpoints require. */
export const OPENWHISK_AUTH = 'openwhisk';

export const OPENWHISK_AUTH_SCHEME: SecurityScheme = {
  type: 'http',
  scheme: 'basic',
  description:
    'The OpenWhisk key of the user (AUTH in ~/.wskprops) as `Basic base64(<uuid>:<key>)`: the uuid is the user ' +
    'name and the key the password. The bare forms `base64(<uuid>:<key>)` and `<uuid>:<key>` are accepted too, ' +
    'as older clients send them.',
};
