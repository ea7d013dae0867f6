import { randomUUID } from 'node:crypto';
import { ensureCouchDb } from './couchdb.server.js';
import { httpRequest } from './loopback-http.js';

describe('ensureCouchDb', () => {
  it('serves a CouchDB API with _find for the admin of COUCHDB_ADMIN_USER', async () => {
    const couch = await ensureCouchDb();
    expect(String(couch.port)).toBe(process.env.COUCHDB_SERVICE_PORT);
    const target = { host: couch.host, port: couch.port };
    const headers = {
      authorization: `Basic ${Buffer.from(`${couch.adminUser}:${couch.adminPassword}`).toString('base64')}`,
      'content-type': 'application/json',
    };
    const db = `devenv_${randomUUID().replaceAll('-', '')}`;
    expect((await httpRequest(target, `/${db}`, { method: 'PUT', headers }))?.status).toBe(201);
    const doc = { login: 'alice', namespaces: [{ uuid: 'u-1', key: 'k-1' }] };
    await httpRequest(target, `/${db}`, { method: 'POST', headers, body: JSON.stringify(doc) });
    await httpRequest(target, `/${db}`, { method: 'POST', headers, body: JSON.stringify({ login: 'bob' }) });

    const selector = { namespaces: { $elemMatch: { uuid: 'u-1', key: 'k-1' } } };
    const found = await httpRequest(target, `/${db}/_find`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ selector }),
    });

    expect(found?.status).toBe(200);
    expect(JSON.parse(found?.body ?? '{}').docs.map((d: { login: string }) => d.login)).toEqual(['alice']);
    await httpRequest(target, `/${db}`, { method: 'DELETE', headers });
  });
});
