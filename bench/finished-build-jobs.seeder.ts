import { buildJobName, newBuildId } from '#libs/builds';
import { buildLabels, buildObjectNames } from '#libs/drivers';
import type { KubeApiTestServer } from '../test/support/kube-api-server/index.js';

const IMAGE = 'moby/buildkit:v0.17.3-rootless';
const timeOf = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * Stores `count` finished build Jobs straight into the test server, each as
 * the driver labels and names it, with the Pod its controller made and its
 * context ConfigMap, both owned by it; half succeeded, half failed, all
 * ended before `endedBefore`, spread over `users` logins.
 */
export function seedFinishedBuildJobs(server: KubeApiTestServer, options: { count: number; users: number; endedBefore: number }): void {
  for (let i = 0; i < options.count; i++) {
    const login = `user${i % options.users}`;
    const buildId = newBuildId();
    const names = buildObjectNames(buildJobName(login, buildId));
    const labels = buildLabels({ login, buildId, kind: 'python' });
    const ended = timeOf(options.endedBefore - 60_000 - i * 1000);
    const succeeded = i % 2 === 0;
    const [interim, final] = succeeded ? ['SuccessCriteriaMet', 'Complete'] : ['FailureTarget', 'Failed'];
    const conditions = [interim, final].map((type) => ({ type, status: 'True', lastProbeTime: ended, lastTransitionTime: ended }));
    const template = { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'buildkit', image: IMAGE }] } };
    const job = server.seed(
      'Job',
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: names.job, labels }, spec: { backoffLimit: 0, template } },
      { startTime: ended, ...(succeeded ? { succeeded: 1, completionTime: ended } : { failed: 1 }), conditions },
    );
    const owner = { apiVersion: 'batch/v1', kind: 'Job', name: names.job, uid: job.metadata.uid };
    server.seed(
      'Pod',
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: `${names.job}-`, labels: { ...labels, 'job-name': names.job }, ownerReferences: [{ ...owner, controller: true, blockOwnerDeletion: true }] },
        spec: template.spec,
      },
      { phase: succeeded ? 'Succeeded' : 'Failed', startTime: ended },
    );
    server.seed('ConfigMap', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: names.context, labels, ownerReferences: [{ ...owner, controller: false, blockOwnerDeletion: false }] },
      data: { Dockerfile: 'FROM openserverless/runtime-python:v3.12\nCOPY requirements.txt /tmp/\nRUN /bin/extend\n', 'requirements.txt': 'requests\n' },
    });
  }
}
