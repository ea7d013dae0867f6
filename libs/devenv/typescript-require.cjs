'use strict';
/*
 * Jest loads globalSetup/globalTeardown with require() (transpiled, but without
 * its moduleNameMapper), so the ESM-style specifiers of our TypeScript sources
 * do not resolve there. This maps them the way jest.config.js does:
 * `#libs/<name>` to libs/<name>/src/index.ts, and a relative `./x.js` to
 * `./x.ts` when only the TypeScript file exists. Only requests made from this
 * repository's own sources (outside node_modules) are rewritten.
 */
const Module = require('node:module');
const { existsSync } = require('node:fs');
const { dirname, join, resolve, sep } = require('node:path');

const root = resolve(__dirname, '..', '..');
const installed = Symbol.for('deployer.typescript-require');

function isOwnSource(file) {
  return typeof file === 'string' && file.startsWith(root + sep) && !file.includes(`${sep}node_modules${sep}`);
}

function rewrite(request, parent) {
  if (!parent || !isOwnSource(parent.filename)) return request;
  const lib = /^#libs\/([a-z0-9-]+)$/.exec(request);
  if (lib) return join(root, 'libs', lib[1], 'src', 'index.ts');
  if (request.startsWith('.') && request.endsWith('.js')) {
    const asJs = resolve(dirname(parent.filename), request);
    const asTs = `${asJs.slice(0, -3)}.ts`;
    if (!existsSync(asJs) && existsSync(asTs)) return asTs;
  }
  return request;
}

if (!Module[installed]) {
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveTypeScript(request, parent, ...rest) {
    return original.call(this, rewrite(request, parent), parent, ...rest);
  };
  Module[installed] = true;
}
