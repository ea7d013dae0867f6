import { createHash, randomBytes } from 'node:crypto';
import { ensureRuntimeLookAlikes, runDocker, STAND_IN_LOG_DIR, type RuntimeLookAlikes } from '#libs/devenv';
import { RUNTIME_STRATEGY_LIST } from '#libs/runtimes';
import { waitForBuild } from '../support/build-waiter.js';
import { call } from '../support/http-client.js';
import { pureWheel, startPythonPackageIndex, type PythonPackageIndex } from '../support/python-package-index.js';
import { inspectImage } from '../support/registry-inspector.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, authorization, targetOf } from '../support/test-users.js';
import { testEngine } from '../support/test-engine.js';

const START = '/system/api/v1/build/start';
const MIRROR_PASSWORD = `mirror-${randomBytes(6).toString('hex')}`;

/**
 * Each kind extends runtime look-alikes made on this machine: real node/npm
 * and python/pip without /bin/extend (installing for real, npm from the npm
 * registry, pip from an index served here), stand-in tools that record how
 * they were called for php, ruby and go, and a stand-in /bin/extend that
 * must win over every fallback.
 */
describe('extending the runtimes OpenServerless ships', () => {
  let deployer: TestDeployer;
  let bases: RuntimeLookAlikes;
  let index: PythonPackageIndex;
  const auth = authorization(USERS.alice);
  const registry = () => String(deployer.config.REGISTRY_HOST);

  beforeAll(async () => {
    bases = await ensureRuntimeLookAlikes(testEngine());
    index = await startPythonPackageIndex(
      [{ project: 'deployer-demo', ...pureWheel('deployer-demo', '1.4.2', 'deployer_demo') }],
      { user: 'mirror-user', password: MIRROR_PASSWORD },
    );
    deployer = await startTestDeployer({ worker: true, env: { BUILD_PIP_INDEX_URL: index.url, LOG_TAIL_LINES: '40' } });
  }, 300_000);
  afterAll(async () => {
    await deployer?.close();
    await index?.close();
  });

  const build = async (kind: string, source: string, content: string) => {
    const file = Buffer.from(`${content}`);
    const tag = `${kind}-${createHash('md5').update(source).update(file).digest('hex')}`;
    const answer = await call(deployer.url, 'POST', START, {
      auth,
      json: { source, target: targetOf(USERS.alice, tag), kind, file: file.toString('base64'), force: true },
    });
    expect(answer.status).toBe(200);
    const status = await waitForBuild(deployer.url, auth, String(answer.body.id), 600_000);
    const logs = await call(deployer.url, 'GET', `/system/api/v1/build/${String(answer.body.id)}/logs`, { auth });
    return { tag, image: `${registry()}/${USERS.alice.login}:${tag}`, status, log: (logs.body.lines as string[]).join('\n') };
  };

  const run = async (image: string, user: string, workdir: string, ...command: string[]) => {
    const result = await runDocker(testEngine(), ['run', '--rm', '--network', 'none', '--user', user, '--workdir', workdir, image, ...command]);
    return { code: result.code, out: `${result.stdout}${result.stderr}`.trim() };
  };

  it('nodejs: installs a real dependency from the npm registry into /app/node_modules, found by an action as nobody', async () => {
    const packageJson = JSON.stringify({
      name: 'action-deps',
      type: 'module',
      dependencies: { 'is-number': '7.0.0' },
      devDependencies: { 'left-pad': '1.3.0' },
    });
    const { image, tag, status, log } = await build('nodejs', bases.nodejs.name, packageJson);
    expect(status).toMatchObject({ state: 'succeeded' });
    expect(log).toContain('base image user: nobody, working directory: /app (from the image config)');
    expect((await inspectImage(registry(), USERS.alice.login, tag))!.user).toBe('nobody');
    // As the action proxy starts an action: from its directory, with an emptied environment.
    const action = await run(image, 'nobody', '/app/action/1/bin', 'env', '-i', '/usr/bin/node', '-e',
      "const isNumber = require('is-number'); console.log(require.resolve('is-number'), isNumber(42), isNumber('x'))");
    expect(action).toEqual({ code: 0, out: '/app/node_modules/is-number/index.js true false' });
    const version = await run(image, 'nobody', '/app', 'node', '-p', "require('/app/node_modules/is-number/package.json').version");
    expect(version.out).toBe('7.0.0');
    // Development dependencies stay out, and the user's package.json never becomes the actions' parent package.
    expect((await run(image, 'nobody', '/', 'ls', '/app/node_modules/left-pad')).code).not.toBe(0);
    expect((await run(image, 'nobody', '/', 'ls', '/app/package.json')).code).not.toBe(0);
    expect((await run(image, 'nobody', '/', 'id', '-un')).out).toBe('nobody');
  });

  it('python: pip installs from the configured mirror into the system site-packages, importable as nobody from /action', async () => {
    const before = index.requests.length;
    const { image, status, log } = await build('python', bases.python.name, 'deployer-demo==1.4.2\n');
    expect(status).toMatchObject({ state: 'succeeded' });
    expect(index.requests.slice(before)).toEqual(expect.arrayContaining(['/simple/deployer-demo/', '/files/deployer_demo-1.4.2-py3-none-any.whl']));
    const action = await run(image, 'nobody', '/action', 'env', '-i', '/usr/bin/python3', '-c', 'import deployer_demo; print(deployer_demo.VALUE, deployer_demo.__file__)');
    expect(action.code).toBe(0);
    expect(action.out).toMatch(/^1\.4\.2 \/usr\/local\/lib\/python3\.\d+\/dist-packages\/deployer_demo\/__init__\.py$/);
    // The mirror's credentials reached pip only: not the log, not the image's config, history or files.
    expect(log).not.toContain(MIRROR_PASSWORD);
    const inspected = await runDocker(testEngine(), ['image', 'inspect', image]);
    const history = await runDocker(testEngine(), ['history', '--no-trunc', image]);
    expect(`${inspected.stdout}${history.stdout}`).not.toContain(MIRROR_PASSWORD);
    const files = (await inspectImage(registry(), USERS.alice.login, image.split(':').pop()!))!.files;
    expect([...files.values()].some((content) => content.includes(MIRROR_PASSWORD))).toBe(false);
  });

  it('python: a requirement the index lacks fails as InstallFailed with pip\'s own error in the status', async () => {
    const { status } = await build('python', bases.python.name, `no-such-project-${randomBytes(3).toString('hex')}==1.0\n`);
    expect(status).toMatchObject({ state: 'failed', reason: 'InstallFailed', message: 'pip install exited with status 1' });
    expect((status.log_tail as string[]).join('\n')).toMatch(/No matching distribution found|Could not find a version/);
  });

  it('python: a file that lists nothing installs nothing and succeeds', async () => {
    const { status, log } = await build('python', bases.python.name, '# nothing yet\n\n');
    expect(status.state).toBe('succeeded');
    expect(log).toContain('requirements.txt lists nothing to install');
  });

  it('php: composer requires the packages (constraints kept, platform ones left out) in the runtime project, as root, image stays root', async () => {
    const composer = { require: { php: '>=8.1', 'ext-json': '*', 'monolog/monolog': '^3.0', 'acme/tool-kit': '>=1.0 <2.0' } };
    const { image, tag, status } = await build('php', bases.standInRoot.name, JSON.stringify(composer));
    expect(status.state).toBe('succeeded');
    const calls = (await run(image, 'root', '/', 'cat', `${STAND_IN_LOG_DIR}/composer.log`)).out.split('\n');
    expect(calls).toEqual(expect.arrayContaining(['cwd=/phpAction/composer', 'uid=0', 'COMPOSER_ALLOW_SUPERUSER=1', 'arg=require', 'arg=monolog/monolog:^3.0', 'arg=acme/tool-kit:>=1.0 <2.0']));
    expect(calls.filter((line) => /^arg=(php|ext-)/.test(line))).toEqual([]);
    expect(['', 'root']).toContain((await inspectImage(registry(), USERS.alice.login, tag))!.user);
  });

  it('ruby: bundler installs the Gemfile into the system gems, as root, image stays root', async () => {
    const { image, tag, status } = await build('ruby', bases.standInRoot.name, "source 'https://rubygems.org'\ngem 'rack', '~> 3.0'\n");
    expect(status.state).toBe('succeeded');
    const calls = (await run(image, 'root', '/', 'cat', `${STAND_IN_LOG_DIR}/bundle.log`)).out.split('\n');
    expect(calls).toEqual(expect.arrayContaining(['uid=0', 'BUNDLE_GEMFILE=/tmp/Gemfile', 'arg=install', 'arg=--gemfile=/tmp/Gemfile']));
    expect(['', 'root']).toContain((await inspectImage(registry(), USERS.alice.login, tag))!.user);
  });

  it('go: nothing to install, said in the log; no go command runs; the image keeps its user', async () => {
    const { image, tag, status, log } = await build('go', bases.standInNobody.name, 'module example.com/action\n\ngo 1.22\n');
    expect(status.state).toBe('succeeded');
    expect(log).toMatch(/go modules resolve per action when it is compiled; nothing to install/);
    expect((await run(image, 'root', '/', 'ls', STAND_IN_LOG_DIR)).code).not.toBe(0);
    expect((await inspectImage(registry(), USERS.alice.login, tag))!.user).toBe('nobody');
  });

  it.each([
    ['java', '<project><modelVersion>4.0.0</modelVersion></project>', /fixed classpath/],
    ['dotnet', '{"dependencies":{"Newtonsoft.Json":"13.0.1"}}', /no SDK to restore project\.json/],
  ])('%s without /bin/extend fails as NotExtendible, saying why', async (kind, content, why) => {
    const { status } = await build(kind, bases.standInRoot.name, content);
    expect(status).toMatchObject({ state: 'failed', reason: 'NotExtendible' });
    expect(String(status.message)).toMatch(why);
  });

  it.each(RUNTIME_STRATEGY_LIST.map((strategy) => [strategy.kind, strategy.dependencyFile]))(
    "%s with the runtime's own /bin/extend runs it, as root, and nothing else",
    async (kind, fileName) => {
      const content = {
        go: 'module example.com/a\n',
        java: '<project/>',
        nodejs: '{"dependencies":{"is-number":"7.0.0"}}',
        php: '{"require":{"monolog/monolog":"^3"}}',
        python: 'requests==2.32.3\n',
        ruby: "gem 'rack'\n",
        dotnet: '{}',
      }[kind as string] as string;
      const { image, tag, status } = await build(kind, bases.standInExtend.name, content);
      expect(status.state).toBe('succeeded');
        expect((await run(image, 'root', '/', 'ls', STAND_IN_LOG_DIR)).out.split('\n')).toEqual(['extend.log']);
      const calls = (await run(image, 'root', '/', 'cat', `${STAND_IN_LOG_DIR}/extend.log`)).out.split('\n');
      expect(calls).toContain('uid=0');
      expect((await run(image, 'root', '/', 'cat', `/tmp/${fileName}`)).out).toBe(content.trim());
      expect((await inspectImage(registry(), USERS.alice.login, tag))!.user).toBe('nobody');
    },
  );
});
