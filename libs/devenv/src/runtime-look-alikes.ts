import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { busyboxEntries } from './base-image-rootfs.js';
import type { DockerEngine } from './docker-engine.server.js';
import { hostRootfs } from './host-rootfs.js';
import { ensureImportedImage, type BaseImage } from './imported-image.js';
import type { TarEntry } from './tar-archive.js';

type Engine = Pick<DockerEngine, 'dockerHost' | 'dockerCli'>;

const PATH = 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where the stand-in tools write down how they were called. */
export const STAND_IN_LOG_DIR = '/opt/stand-in';

const dir = (path: string, mode = 0o755): TarEntry => ({ type: 'directory', path, mode });
const file = (path: string, content: string, mode = 0o644): TarEntry => ({ type: 'file', path, mode, content: Buffer.from(content) });

/**
 * A stand-in for a package tool: records its working directory, user,
 * arguments and a few variables, one file per tool, and succeeds.
 */
function standInTool(tool: string): string {
  return `#!/bin/sh
mkdir -p ${STAND_IN_LOG_DIR}
{
  echo "cwd=$(pwd)"
  echo "uid=$(id -u)"
  echo "BUNDLE_GEMFILE=\${BUNDLE_GEMFILE:-}"
  echo "COMPOSER_ALLOW_SUPERUSER=\${COMPOSER_ALLOW_SUPERUSER:-}"
  for argument in "$@"; do echo "arg=$argument"; done
} >> ${STAND_IN_LOG_DIR}/${tool}.log
echo "${tool} (stand-in): $*"
`;
}

const STAND_IN_TOOLS = ['composer', 'bundle', 'go', 'mvn', 'dotnet', 'npm', 'pip'] as const;

async function standInEntries(options: { extend: boolean }): Promise<TarEntry[]> {
  return [
    ...(await busyboxEntries()),
    dir('usr/local'),
    dir('usr/local/bin'),
    ...STAND_IN_TOOLS.map((tool) => file(`usr/local/bin/${tool}`, standInTool(tool), 0o755)),
    // The php runtime's image-wide composer project (main images).
    dir('phpAction'),
    dir('phpAction/composer'),
    file('phpAction/composer/composer.json', '{"require":{}}\n'),
    dir('action', 0o777),
    ...(options.extend ? [file('bin/extend', standInTool('extend'), 0o755)] : []),
  ];
}

export interface RuntimeLookAlikes {
  /** Real node and npm, no /bin/extend; USER nobody, WORKDIR /app, actions under /app/action. */
  readonly nodejs: BaseImage;
  /** Real python3 and pip, no /bin/extend; USER nobody, WORKDIR /action, HOME /tmp. */
  readonly python: BaseImage;
  /** Stand-in tools, no /bin/extend, no USER (root), like the php, java, ruby and dotnet runtimes. */
  readonly standInRoot: BaseImage;
  /** Stand-in tools, no /bin/extend, USER nobody and WORKDIR /action, like the go runtime. */
  readonly standInNobody: BaseImage;
  /** Stand-in tools and a stand-in /bin/extend, USER nobody. */
  readonly standInExtend: BaseImage;
}

/** The images of runtime look-alikes, built from this machine's own programs and busybox. */
export async function ensureRuntimeLookAlikes(docker: Engine): Promise<RuntimeLookAlikes> {
  const [nodejs, python, standInRoot, standInNobody, standInExtend] = await Promise.all([
    ensureNodejsLookAlike(docker),
    ensurePythonLookAlike(docker),
    ensureImportedImage(docker, 'openserverless/runtime-standin-root:local', await hostRootfs({
      entries: await standInEntries({ extend: false }),
      hostPaths: [],
      linkedPrograms: [],
    }), [PATH, 'WORKDIR /phpAction']),
    ensureImportedImage(docker, 'openserverless/runtime-standin-nobody:local', await hostRootfs({
      entries: await standInEntries({ extend: false }),
      hostPaths: [],
      linkedPrograms: [],
    }), [PATH, 'WORKDIR /action', 'USER nobody']),
    ensureImportedImage(docker, 'openserverless/runtime-standin-extend:local', await hostRootfs({
      entries: await standInEntries({ extend: true }),
      hostPaths: [],
      linkedPrograms: [],
    }), [PATH, 'WORKDIR /action', 'USER nobody']),
  ]);
  return { nodejs, python, standInRoot, standInNobody, standInExtend };
}

/** The nodejs look-alike: this machine's node and npm in the OpenServerless nodejs runtime's layout. */
export async function ensureNodejsLookAlike(docker: Engine): Promise<BaseImage> {
  const node = process.execPath;
  const npm = join(dirname(dirname(node)), 'lib', 'node_modules', 'npm');
  const rootfs = await hostRootfs({
    entries: [
      ...(await busyboxEntries()),
      dir('app', 0o777),
      dir('app/action', 0o777),
      dir('usr/lib'),
      dir('usr/lib/node_modules'),
      { type: 'symlink', path: 'usr/bin/npm', target: '../lib/node_modules/npm/bin/npm-cli.js' },
    ],
    hostPaths: [node, npm],
    linkedPrograms: [node],
  });
  return ensureImportedImage(docker, 'openserverless/runtime-nodejs:local', rootfs, [
    PATH,
    'ENV HOME=/app',
    'WORKDIR /app',
    'USER nobody',
  ]);
}

/** The python look-alike: Debian's python3 and pip (package python3-pip) in the python runtime's layout. */
export async function ensurePythonLookAlike(docker: Engine): Promise<BaseImage> {
  const version = readdirSync('/usr/bin').find((name) => /^python3\.\d+$/.test(name));
  if (!version) throw new Error('devenv: no /usr/bin/python3.X; run scripts/install-system-packages.sh');
  const stdlib = `/usr/lib/${version}`;
  const pipDirs = readdirSync('/usr/lib/python3/dist-packages')
    .filter((name) => name === 'pip' || /^pip-.*\.dist-info$/.test(name))
    .map((name) => `/usr/lib/python3/dist-packages/${name}`);
  if (pipDirs.length === 0) throw new Error('devenv: Debian pip is missing; run scripts/install-system-packages.sh');
  const extensions = readdirSync(`${stdlib}/lib-dynload`).map((name) => `${stdlib}/lib-dynload/${name}`);
  const rootfs = await hostRootfs({
    entries: [...(await busyboxEntries()), dir('action', 0o777), dir('usr/lib'), dir('usr/lib/python3'), dir('usr/lib/python3/dist-packages')],
    hostPaths: [`/usr/bin/${version}`, '/usr/bin/python3', stdlib, ...pipDirs],
    linkedPrograms: [`/usr/bin/${version}`, ...extensions],
  });
  return ensureImportedImage(docker, 'openserverless/runtime-python:local', rootfs, [
    PATH,
    'ENV HOME=/tmp',
    'WORKDIR /action',
    'USER nobody',
  ]);
}
