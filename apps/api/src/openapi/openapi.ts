import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { OPENWHISK_AUTH, OPENWHISK_AUTH_SCHEME } from './openwhisk-auth.js';

/** The UI; the document is served beside it at `<path>-json`. */
export const OPENAPI_PATH = 'system/apidocs';

const DESCRIPTION = [
  'Extends OpenServerless runtime images with a dependency file and pushes them to a registry.',
  'Every error answer is `{"status":"ko","message":"…"}` with a precise status code.',
  'The operations endpoints (`/system/health`, `/system/health/live`, `/system/metrics`) need no authorization and ' +
    'expose no secrets.',
].join('\n\n');

/**
 * Serves the OpenAPI document generated from the controllers and DTOs, and its
 * UI. The document is generated on the first request for it, not at start-up:
 * most replicas are never asked, and it would stay in every one's heap.
 */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('deployer')
    .setDescription(DESCRIPTION)
    .setVersion('v1')
    .addSecurity(OPENWHISK_AUTH, OPENWHISK_AUTH_SCHEME)
    .addTag('builds', "Builds of the caller's images; another user's build answers 404.")
    .addTag('registry', "The caller's own repository in the registry.")
    .addTag('operations', 'Health and metrics, without authorization.')
    .build();
  SwaggerModule.setup(OPENAPI_PATH, app, () => SwaggerModule.createDocument(app, config), {
    raw: ['json'],
    customSiteTitle: 'deployer API',
  });
}
