import fc from 'fast-check';
import { RUNTIME_KINDS } from '#libs/runtimes';
import { TestUser, authorization } from './test-users.js';

export type FuzzMethod = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | 'OPTIONS' | 'HEAD';

/** One request as it goes on the wire: the path is sent as is, not normalised. */
export interface FuzzRequest {
  method: FuzzMethod;
  path: string;
  /** Absent: no Authorization header at all. */
  authorization?: string;
  /** Absent: no Content-Type header at all. */
  contentType?: string;
  body?: string;
}

/** What exists when the requests are generated, so that some of them reach real records. */
export interface FuzzWorld {
  /** The user most requests come from. */
  user: TestUser;
  /** Other valid users, now and then the caller. */
  others: TestUser[];
  /** Ids of builds that exist (of any of the users). */
  buildIds: string[];
  /** Tags that exist in the user's repository. */
  tags: string[];
  /** A source image that passes validation. */
  source: string;
}

export const API = '/system/api/v1';

/** A small dependency file per kind that passes the kind's check. */
export const VALID_FILES: Record<(typeof RUNTIME_KINDS)[number], string> = {
  go: 'module example.com/fuzz\n\ngo 1.22\n',
  java: '<project><modelVersion>4.0.0</modelVersion></project>\n',
  nodejs: '{"dependencies":{"left-pad":"1.3.0"}}\n',
  php: '{"require":{"monolog/monolog":"^3"}}\n',
  python: 'requests==2.32.3\n',
  ruby: "source 'https://rubygems.org'\ngem 'rack'\n",
  dotnet: '{"dependencies":{}}\n',
};

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const printable = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

/** Header values fetch and node:http accept: Latin-1 without control characters. */
const latin1 = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })).map((c) => String.fromCharCode(c)),
    maxLength,
  });

const weirdText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '$(id)', '`id`', ';rm -rf /', '../../etc/passwd', '\r\nX: y', '%00', '{{7*7}}', 'a'.repeat(300)),
);

/** Values of the wrong type, or of the right type with hostile content. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constant({ polluted: true }),
);

export function authorizationArbitrary(world: FuzzWorld): fc.Arbitrary<string | undefined> {
  const pair = `${world.user.uuid}:${world.user.key}`;
  const valid = fc.constantFrom('basic', 'bare-base64', 'bare').map((form) => authorization(world.user, form));
  const malformed = fc.oneof(
    fc.constantFrom(undefined, '', '   ', 'Basic', 'Basic ', 'Bearer abc', 'Basic Basic x', 'Digest username="x"'),
    fc.constantFrom(
      `basic ${base64(pair)}`,
      `BASIC   ${base64(pair)}  `,
      `Basic ${pair}`,
      `Basic ${base64(`${world.user.uuid}:wrong`)}`,
      `Basic ${base64(world.user.uuid)}`,
      `Basic ${base64(`:${world.user.key}`)}`,
      `Basic ${base64(`${world.user.uuid}:`)}`,
      `Basic ${base64(pair)}=`,
      `Basic ${base64(pair).slice(1)}`,
      `Basic ${base64(`${pair}\u0000`)}`,
      `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x41]).toString('base64')}`,
      `Basic ${base64(`${world.user.uuid}:${'k'.repeat(5000)}`)}`,
      `${pair} ${pair}`,
      pair.toUpperCase(),
    ),
    latin1(60),
    printable(60).map((text) => `Basic ${text}`),
    printable(40).map((text) => `Basic ${base64(text)}`),
  );
  return fc.oneof(
    { weight: 14, arbitrary: valid },
    { weight: 2, arbitrary: fc.constantFrom(...world.others).map((u) => authorization(u)) },
    { weight: 5, arbitrary: malformed },
  );
}

export const contentTypeArbitrary: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      undefined,
      '',
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/merge-patch+json',
      'application/vnd.api+json',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/json, text/plain',
      'json',
      '*/*',
    ),
  },
  { weight: 1, arbitrary: latin1(40) },
);

/** A start request that passes validation, for the user's own repository. */
export function validStartArbitrary(world: FuzzWorld): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      source: fc.constantFrom(world.source, `${world.source}`, 'openserverless/runtime-python:v3.12', 'registry.local:5000/a/b:c'),
      target: fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}$/).map((tag) => `${world.user.login.toLowerCase()}:${tag}`),
      kind: fc.constantFrom(...RUNTIME_KINDS),
      force: fc.boolean(),
    },
    { requiredKeys: ['source', 'target', 'kind'] },
  ).map((body) => ({ ...body, file: base64(VALID_FILES[body.kind as keyof typeof VALID_FILES]) }));
}

const KEEP = Symbol('keep');
const DROP = Symbol('drop');
const fieldMutation = fc.oneof(
  { weight: 6, arbitrary: fc.constant<typeof KEEP>(KEEP) },
  { weight: 1, arbitrary: fc.constant<typeof DROP>(DROP) },
  { weight: 2, arbitrary: weirdValue },
);

const fileMutation = fc.oneof(
  weirdText.map(base64),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc.constantFrom('not base64!', '====', 'QQ', 'QQ=\n=', base64('{"a":'), base64('<project><a></project>'), base64('x'.repeat(524_289))),
  weirdText,
);

/** A valid start body with some fields dropped, retyped or replaced, and stray keys added. */
export function mutatedStartBodyArbitrary(world: FuzzWorld): fc.Arbitrary<string> {
  return fc
    .record({
      body: validStartArbitrary(world),
      source: fieldMutation,
      target: fieldMutation,
      kind: fieldMutation,
      force: fieldMutation,
      file: fc.oneof({ weight: 3, arbitrary: fc.constant<typeof KEEP>(KEEP) }, { weight: 1, arbitrary: fc.constant<typeof DROP>(DROP) }, { weight: 2, arbitrary: fileMutation }),
      extra: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'state', 'login', 'x'), weirdValue, { maxKeys: 2 }),
    })
    .map(({ body, extra, ...mutations }) => {
      const out: Record<string, unknown> = { ...body };
      for (const [field, mutation] of Object.entries(mutations)) {
        if (mutation === DROP) delete out[field];
        else if (mutation !== KEEP) out[field] = mutation;
      }
      // Object spread would drop a "__proto__" key; the wire must carry it.
      for (const [key, value] of Object.entries(extra)) Object.defineProperty(out, key, { value, enumerable: true });
      return JSON.stringify(out);
    });
}

const cleanupBodyArbitrary = fc.oneof(
  fc.constantFrom('{}', '{"max_age_hours":24}', '{"max_age_hours":"0"}', '{"max_age_hours":" 7 "}', '{"max_age_hours":87600}'),
  weirdValue.map((value) => JSON.stringify({ max_age_hours: value })),
  fc.constantFrom('{"max_age_hours":1e400}', '{"max_age_hours":-0}', '{"max_age_hours":"1e3"}', '{"max_age_hours":87601}'),
);

/** Bodies that are not what any endpoint expects. */
const strayBodyArbitrary = fc.oneof(
  fc.json({ maxDepth: 3 }),
  weirdText,
  fc.constantFrom('', '{', '[', 'null', 'true', '"x"', '1', '{"a":1}{"b":2}', '\uFEFF{}', '{"__proto__":{"polluted":true}}'),
  fc.constantFrom('{"pad":"' + 'A'.repeat(1_048_576) + '"}', '{"pad":"' + 'A'.repeat(1_048_000) + '"}', ' '.repeat(4096)),
);

export function bodyArbitrary(world: FuzzWorld): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: validStartArbitrary(world).map((b) => JSON.stringify(b)) },
    { weight: 6, arbitrary: mutatedStartBodyArbitrary(world) },
    { weight: 2, arbitrary: cleanupBodyArbitrary },
    { weight: 3, arbitrary: strayBodyArbitrary },
  );
}

/** A path segment standing for a build id or a tag: real, nearly real, or hostile. */
function segmentArbitrary(real: string[]): fc.Arbitrary<string> {
  const known = real.length > 0 ? real : ['none'];
  const nearly = fc
    .tuple(
      fc.constantFrom(...known),
      fc.constantFrom<(s: string) => string>(
        (s) => s.toUpperCase(),
        (s) => s.slice(0, -1),
        (s) => `${s}0`,
        (s) => `a${s}`,
        (s) => s.slice(1),
        (s) => `${s}%20`,
        (s) => `${s}%00`,
        (s) => `${s}*`,
        (s) => encodeURIComponent(`${s}/`),
      ),
    )
    .map(([s, mutate]) => mutate(s));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known) },
    { weight: 3, arbitrary: nearly },
    { weight: 2, arbitrary: fc.stringMatching(/^[a-zA-Z0-9._-]{1,80}$/) },
    { weight: 2, arbitrary: weirdText.filter((s) => s.length > 0).map((s) => encodeURIComponent(s)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom('..', '.', '..%2F..%2Fetc', '%2e%2e', '%ZZ', '%', '%c0%ae', 'A'.repeat(300), '*', ';', '%3F', '%23', '__proto__', 'constructor'),
    },
  );
}

/** A query string for the logs endpoint; `follow` only where the build cannot be real (it would stream until the build ends). */
const logsQueryArbitrary = (real: boolean) =>
  fc.constantFrom(
    '',
    '?follow=false',
    '?follow=TRUE',
    '?follow=yes',
    '?follow[]=true',
    '?follow=',
    '?x=%ZZ',
    ...(real ? [] : ['?follow=true', '?follow=1', '?follow=true&follow=true']),
  );

const METHODS: FuzzMethod[] = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'];

export function pathArbitrary(world: FuzzWorld): fc.Arbitrary<{ method: FuzzMethod; path: string }> {
  const id = segmentArbitrary(world.buildIds);
  const tag = segmentArbitrary(world.tags);
  const route = (method: FuzzMethod, path: fc.Arbitrary<string>) => path.map((p) => ({ method, path: p }));
  const decorated = (path: string) =>
    fc.constantFrom(path, `${path}/`, path.toUpperCase(), path.replace('/v1/', '//v1/'), `${path}?x=1`, `${path}#frag`);
  return fc.oneof(
    { weight: 6, arbitrary: route('POST', decorated(`${API}/build/start`)) },
    { weight: 2, arbitrary: route('POST', decorated(`${API}/build/cleanup`)) },
    { weight: 2, arbitrary: route('GET', decorated(`${API}/build`)) },
    { weight: 3, arbitrary: route('GET', id.map((i) => `${API}/build/${i}`)) },
    { weight: 2, arbitrary: route('DELETE', id.map((i) => `${API}/build/${i}`)) },
    {
      weight: 3,
      arbitrary: route('GET', id.chain((i) => logsQueryArbitrary(world.buildIds.includes(i)).map((q) => `${API}/build/${i}/logs${q}`))),
    },
    { weight: 1, arbitrary: route('GET', decorated(`${API}/registry/images`)) },
    { weight: 2, arbitrary: route('GET', tag.map((t) => `${API}/registry/images/${t}`)) },
    { weight: 1, arbitrary: route('DELETE', tag.map((t) => `${API}/registry/images/${t}`)) },
    {
      weight: 2,
      arbitrary: fc.record({
        method: fc.constantFrom('GET' as const, 'HEAD' as const),
        path: fc.constantFrom('/system/health', '/system/health/live', '/system/metrics', '/system/apidocs-json'),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        method: fc.constantFrom(...METHODS),
        path: fc.constantFrom(
          `${API}/build/start`,
          `${API}/build/cleanup`,
          `${API}/build`,
          `${API}/registry/images`,
          '/system/health',
          '/system/metrics',
          '/system/apidocs-json',
          '/',
          '/system',
          `${API}/build/x/logs/y`,
          `${API}/registry/images/a/b`,
        ),
      }),
    },
  );
}

export function requestArbitrary(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      route: pathArbitrary(world),
      authorization: authorizationArbitrary(world),
      contentType: contentTypeArbitrary,
      body: bodyArbitrary(world),
    })
    .map(({ route, ...rest }) => ({ ...route, ...rest }));
}

/** Requests on the start endpoint only, from the user, with mutated bodies: the input validation under load. */
export function startRequestArbitrary(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      authorization: fc.constantFrom('basic', 'bare-base64', 'bare').map((form) => authorization(world.user, form)),
      contentType: fc.oneof({ weight: 9, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: contentTypeArbitrary }),
      body: fc.oneof({ weight: 1, arbitrary: validStartArbitrary(world).map((b) => JSON.stringify(b)) }, { weight: 4, arbitrary: mutatedStartBodyArbitrary(world) }),
    })
    .map((parts) => ({ method: 'POST' as const, path: `${API}/build/start`, ...parts }));
}
