import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configureBodyParsing, isPlainJson } from './body-parsing.js';

interface Answer {
  status: number;
  body: unknown;
}

/**
 * Plain JSON bodies of a declared length are read by the service's own reader;
 * the same bytes sent chunked go through body-parser. Both must answer alike,
 * whatever the bytes.
 */
describe('configureBodyParsing', () => {
  let fastify: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    fastify = Fastify();
    configureBodyParsing(fastify);
    fastify.post('/echo', (req) => ({ body: req.body ?? null }));
    await fastify.listen({ host: '127.0.0.1', port: 0 });
    port = (fastify.server.address() as AddressInfo).port;
  });
  afterAll(() => fastify.close());

  const post = (body: Buffer, headers: Record<string, string>): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const sent = request({ host: '127.0.0.1', port, method: 'POST', path: '/echo', headers }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      sent.on('error', reject);
      sent.end(body);
    });
  const withLength = (body: Buffer, type = 'application/json') => post(body, { 'content-type': type, 'content-length': String(body.length) });
  const chunked = (body: Buffer, type = 'application/json') => post(body, { 'content-type': type, 'transfer-encoding': 'chunked' });

  const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const bodies: [string, Buffer][] = [
    ['an object', Buffer.from('{"source":"a","n":1,"list":[1,2,{"x":null}]}')],
    ['an array', Buffer.from('[1,"two"]')],
    ['an object after whitespace', Buffer.from(' \t\r\n{"a":1}')],
    ['an object after a byte order mark', Buffer.from('\ufeff{"a":"b"}')],
    ['a lone byte order mark', Buffer.from('\ufeff')],
    ['whitespace alone', Buffer.from('   ')],
    ['a string', Buffer.from('"text"')],
    ['a number', Buffer.from('42')],
    ['null', Buffer.from('null')],
    ['malformed JSON', Buffer.from('{"source": ')],
    ['trailing garbage', Buffer.from('{"a":1} x')],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')])],
    ['non-ASCII text', Buffer.from('{"name":"caffè ☕ 日本"}')],
    ['nesting at the limit', Buffer.from(deep(32))],
    ['nesting over the limit', Buffer.from(deep(33))],
    ['nesting over the limit after garbage', Buffer.from(`x${deep(40)}`)],
    ['brackets inside strings', Buffer.from(`{"note":"${'[{'.repeat(50)} \\" ${'[{'.repeat(50)}"}`)],
    ['a body near the limit', Buffer.from(JSON.stringify({ file: 'A'.repeat(1024 * 1024 - 20) }))],
  ];

  it('reads itself only plain JSON of a declared length within the limit, sent as it is', () => {
    const plain = (headers: Record<string, string>) => isPlainJson({ headers });
    expect(plain({ 'content-type': 'application/json', 'content-length': '10' })).toBe(true);
    expect(plain({ 'content-type': 'application/json; charset=UTF-8', 'content-length': '0' })).toBe(true);
    expect(plain({ 'content-type': 'application/json', 'content-length': String(1024 * 1024), 'content-encoding': 'identity' })).toBe(true);
    expect(plain({ 'content-type': 'application/json', 'content-length': String(1024 * 1024 + 1) })).toBe(false);
    expect(plain({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' })).toBe(false);
    expect(plain({ 'content-type': 'application/json', 'content-length': '10', 'content-encoding': 'gzip' })).toBe(false);
    expect(plain({ 'content-type': 'application/json; charset=utf-16', 'content-length': '10' })).toBe(false);
    expect(plain({ 'content-type': 'application/vnd.api+json', 'content-length': '10' })).toBe(false);
    expect(plain({ 'content-length': '10' })).toBe(false);
  });

  it.each(bodies)('answers %s as body-parser does', async (_what, body) => {
    const own = await withLength(body);
    const theirs = await chunked(body);
    expect(own).toEqual(theirs);
  });

  it('parses what it reads, and refuses what is not an object or an array', async () => {
    expect(await withLength(Buffer.from('{"a":[1,{"b":"c"}]}'))).toEqual({ status: 200, body: { body: { a: [1, { b: 'c' }] } } });
    expect(await withLength(Buffer.from(''))).toEqual({ status: 200, body: { body: {} } });
    expect((await withLength(Buffer.from('"text"'))).status).toBe(400);
    expect(await withLength(Buffer.from(deep(33)))).toEqual({ status: 400, body: { status: 'ko', message: 'Request body nests deeper than 32 levels' } });
  });

  it('takes a UTF-8 charset parameter on the fast path, and leaves other charsets and bodies over the limit to body-parser', async () => {
    const body = Buffer.from('{"a":"é"}');
    expect(await withLength(body, 'application/json; charset=utf-8')).toEqual({ status: 200, body: { body: { a: 'é' } } });
    expect(await withLength(body, 'Application/JSON; Charset="UTF-8"')).toEqual({ status: 200, body: { body: { a: 'é' } } });
    expect((await withLength(Buffer.from('{}'), 'application/json; charset=latin1')).status).toBe(415);
    const big = Buffer.from(JSON.stringify({ file: 'A'.repeat(1024 * 1024) }));
    expect(await withLength(big)).toEqual({ status: 413, body: { status: 'ko', message: 'Request body exceeds 1mb' } });
    expect((await withLength(Buffer.from('a=b'), 'application/x-www-form-urlencoded')).status).toBe(415);
  });
});
