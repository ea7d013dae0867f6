import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../support/cli-runner.js';
import { pushTinyImage } from '../support/registry-uploader.js';
import { startTestDeployer, TestDeployer } from '../support/test-deployer.js';
import { USERS, targetOf } from '../support/test-users.js';

describe('the command line behind the builder:* tasks', () => {
  let deployer: TestDeployer;
  const auth = `${USERS.alice.uuid}:${USERS.alice.key}`;
  const api = () => ({ ADMIN_API_URL: deployer.url, AUTH: auth });
  const registry = () => ({ REGISTRY_HOST: String(process.env.REGISTRY_HOST) });

  beforeAll(async () => {
    deployer = await startTestDeployer({ worker: true });
  });
  afterAll(async () => {
    await deployer?.close();
  });

  it.each(['send', 'logs', 'clean', 'list-catalogs', 'list-images', 'get-image', 'delete-image', 'cleanjobs', 'updatetoml', 'devenv'])(
    '%s has --help',
    async (command) => {
      const result = await runCli([command, '--help'], {});
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`Usage: deployer ${command}`));
    },
  );

  it('send builds from the task variables, streams the log and prints the image; logs replays it', async () => {
    const file = Buffer.from(`six==1.16.0\n# ${randomBytes(4).toString('hex')}\n`);
    const result = await runCli(['send'], {
      ...api(),
      SOURCE: process.env.BASE_IMAGE,
      TARGET: targetOf(USERS.alice, 'cli-send'),
      KIND: 'python',
      REQUIREMENTS: file.toString('base64'),
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/extend: installing six==1\.16\.0/);
    expect(result.stdout).toMatch(new RegExp(`image: ${process.env.REGISTRY_HOST}/${USERS.alice.login}:cli-send`));
    expect(result.stdout).toMatch(/digest: sha256:[a-f0-9]{64}/);

    const logs = await runCli(['logs'], api());
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/six==1\.16\.0/);
    expect(logs.stderr).toMatch(/succeeded/);
  });

  it('send exits 1 when the build fails, and reads AUTH from ~/.wskprops', async () => {
    const wskprops = join(tmpdir(), `wskprops-${randomBytes(4).toString('hex')}`);
    writeFileSync(wskprops, `APIHOST=http://127.0.0.1\nAUTH=${auth}\n`);
    const result = await runCli(
      ['send', '--source', String(process.env.BASE_IMAGE), '--target', targetOf(USERS.alice, 'cli-fail'), '--kind', 'python'],
      { ADMIN_API_URL: deployer.url, WSK_CONFIG_FILE: wskprops, REQUIREMENTS: Buffer.from('x\n# extend: fail\n').toString('base64') },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/failed: InstallFailed/);
  });

  it('send refuses to run without credentials', async () => {
    const result = await runCli(['send', '--source', 'a', '--target', 'b:c', '--kind', 'python'], {
      ADMIN_API_URL: deployer.url,
      WSK_CONFIG_FILE: join(tmpdir(), 'missing-wskprops'),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/No credentials/);
  });

  it('clean reports what the API cleaned', async () => {
    const result = await runCli(['clean'], { ...api(), MAX_AGE_HOURS: '0' });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Cleaned up \d+ jobs successfully\.$/m);
    const bad = await runCli(['clean', '--max-age-hours', 'soon'], api());
    expect(bad.code).not.toBe(0);
  });

  it('lists, shows and deletes registry images', async () => {
    const repository = `cli${randomBytes(4).toString('hex')}`;
    const digest = await pushTinyImage(String(process.env.REGISTRY_HOST), repository, 'v1', { purpose: 'cli-test' });
    expect((await runCli(['list-catalogs'], registry())).stdout.split('\n')).toContain(repository);
    expect((await runCli(['list-images'], { ...registry(), CATALOG: repository })).stdout.trim()).toBe(`${repository}:v1`);

    const shown = await runCli(['get-image'], { ...registry(), IMAGE: `${repository}:v1` });
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ digest, labels: { purpose: 'cli-test' } });

    const deleted = await runCli(['delete-image'], { ...registry(), IMAGE: `${repository}:v1` });
    expect(deleted.stdout).toContain(digest);
    const again = await runCli(['get-image'], { ...registry(), IMAGE: `${repository}:v1` });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not found/);
  });

  describe('Taskfile.yml', () => {
    const taskfile = parse(readFileSync(new URL('../../Taskfile.yml', import.meta.url), 'utf8')) as {
      tasks: Record<string, { cmds: string[]; env?: Record<string, string> }>;
    };
    it.each([
      ['builder:send', 'send', ['SOURCE', 'TARGET', 'KIND', 'REQUIREMENTS']],
      ['builder:clean', 'clean', ['MAX_AGE_HOURS']],
      ['builder:logs', 'logs', ['BUILD']],
      ['builder:cleanjobs', 'cleanjobs', ['MAX_AGE_HOURS']],
      ['builder:updatetoml', 'updatetoml', []],
      ['builder:list-catalogs', 'list-catalogs', []],
      ['builder:list-images', 'list-images', ['CATALOG']],
      ['builder:get-image', 'get-image', ['IMAGE']],
      ['builder:delete-image', 'delete-image', ['IMAGE']],
    ])('%s calls `%s` with its variables', (task, command, variables) => {
      const definition = taskfile.tasks[task];
      expect(definition).toBeDefined();
      expect(definition.cmds).toHaveLength(1);
      expect(definition.cmds[0]).toMatch(new RegExp(`^\\{\\{\\.CLI\\}\\} ${command}( |$)`));
      for (const variable of variables) expect(definition.env?.[variable]).toMatch(new RegExp(`\\{\\{\\.${variable}[ }]`));
    });
  });
});
