import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { loadConfig } from '#libs/config';
import { FinishedJobsCleaner } from '#libs/drivers';
import { isNotFound, kubernetesRepositoryFrom } from '#libs/kube';
import { hours } from './clean.command.js';

/** The cluster tasks (admin): cleanjobs and updatetoml, straight to the Kubernetes API. */
export function clusterCommands(): Command[] {
  const cleanJobs = new Command('cleanjobs')
    .description('delete finished build Jobs (with their Pods and ConfigMaps) of every user, directly in the cluster')
    .addOption(new Option('--max-age-hours <hours>', 'age of the Jobs to delete').env('MAX_AGE_HOURS').argParser(hours).default(0))
    .action(async (options: { maxAgeHours: number }) => {
      const kube = await kubernetesRepositoryFrom(loadConfig(process.env));
      const report = await new FinishedJobsCleaner(kube).clean({ olderThan: new Date(Date.now() - options.maxAgeHours * 3_600_000) });
      process.stdout.write(`deleted ${report.deleted} jobs and ${report.orphansDeleted} leftover objects\n`);
      if (report.error) throw new Error(`stopped early: ${report.error}`);
    });
  const updateToml = new Command('updatetoml')
    .description('replace the BuildKit daemon ConfigMap from a buildkitd.toml')
    .option('--file <path>', 'buildkitd.toml', 'deploy/buildkit/buildkitd.toml')
    .action(async (options: { file: string }) => {
      const config = loadConfig(process.env);
      const kube = await kubernetesRepositoryFrom(config);
      const body = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: config.BUILDKITD_CONFIGMAP, labels: { 'app.kubernetes.io/managed-by': 'openserverless-deployer' } },
        data: { 'buildkitd.toml': await readFile(options.file, 'utf8') },
      };
      try {
        await kube.replaceConfigMap(body);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await kube.createConfigMap(body);
      }
      process.stdout.write(`updated ConfigMap ${config.BUILDKITD_CONFIGMAP} in ${config.KUBE_NAMESPACE}\n`);
    });
  return [cleanJobs, updateToml];
}
