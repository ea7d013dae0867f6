import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node';
import { assessBuild } from './build-progress.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const job = (conditions: { type: string; status: string; reason?: string; message?: string }[] = []): V1Job => ({
  metadata: { name: 'build-alice-1' },
  status: { conditions: conditions.map((c) => ({ lastTransitionTime: new Date(), ...c })) },
});
const pod = (containers: V1ContainerStatus[], init: V1ContainerStatus[] = []): V1Pod => ({
  metadata: { name: 'build-alice-1-abcde', creationTimestamp: new Date() },
  status: { containerStatuses: containers, initContainerStatuses: init },
});
const buildkit = (state: V1ContainerStatus['state']): V1ContainerStatus => ({
  name: 'buildkit',
  image: 'moby/buildkit',
  imageID: '',
  ready: false,
  restartCount: 0,
  state,
});

describe('assessBuild', () => {
  it('is pending until the BuildKit container runs', () => {
    expect(assessBuild(job(), [])).toEqual({ phase: 'pending' });
    expect(assessBuild(job(), [pod([buildkit({ waiting: { reason: 'ContainerCreating' } })])])).toEqual({ phase: 'pending' });
  });

  it('is running with the pod to follow', () => {
    expect(assessBuild(job(), [pod([buildkit({ running: { startedAt: new Date() } })])])).toEqual({
      phase: 'running',
      pod: 'build-alice-1-abcde',
    });
  });

  it('succeeds with the digest BuildKit left as termination message', () => {
    const done = pod([buildkit({ terminated: { exitCode: 0, message: JSON.stringify({ 'containerimage.digest': DIGEST }) } })]);
    expect(assessBuild(job([{ type: 'Complete', status: 'True' }]), [done])).toMatchObject({ phase: 'succeeded', digest: DIGEST });
    expect(assessBuild(job(), [done])).toMatchObject({ phase: 'succeeded', digest: DIGEST });
  });

  it('fails with the Job condition reason, e.g. a deadline', () => {
    const failed = job([{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }]);
    expect(assessBuild(failed, [])).toMatchObject({ phase: 'failed', reason: 'DeadlineExceeded' });
  });

  it.each(['ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError'])('fails at once on %s instead of hanging', (reason) => {
    const stuck = pod([buildkit({ waiting: { reason, message: 'back-off pulling image' } })]);
    expect(assessBuild(job(), [stuck])).toMatchObject({ phase: 'failed', reason });
  });

  it('fails when the init container cannot get its image either', () => {
    const init = { ...buildkit({ waiting: { reason: 'ErrImagePull' } }), name: 'context' };
    expect(assessBuild(job(), [pod([], [init])])).toMatchObject({ phase: 'failed', reason: 'ErrImagePull' });
  });

  it('takes the registry proxy sidecar\'s exit for no verdict, but fails when it cannot start', () => {
    const sidecar = (state: V1ContainerStatus['state']) => ({ ...buildkit(state), name: 'registry-proxy' });
    const context = { ...buildkit({ terminated: { exitCode: 0, reason: 'Completed' } }), name: 'context' };
    const running = pod([buildkit({ running: { startedAt: new Date() } })], [context, sidecar({ terminated: { exitCode: 143, reason: 'Error' } })]);
    expect(assessBuild(job(), [running])).toEqual({ phase: 'running', pod: 'build-alice-1-abcde' });
    const looping = pod([buildkit({ waiting: { reason: 'PodInitializing' } })], [context, sidecar({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } })]);
    expect(assessBuild(job(), [looping])).toMatchObject({ phase: 'failed', reason: 'CrashLoopBackOff', message: expect.stringContaining('registry-proxy') });
  });

  it('fails with the exit code when BuildKit fails', () => {
    const failed = pod([buildkit({ terminated: { exitCode: 1, reason: 'Error' } })]);
    expect(assessBuild(job(), [failed])).toMatchObject({ phase: 'failed', reason: 'BuildFailed', message: expect.stringContaining('code 1') });
  });

  it('fails when the Job is gone', () => {
    expect(assessBuild(null, [])).toMatchObject({ phase: 'failed', reason: 'JobDeleted' });
  });
});
