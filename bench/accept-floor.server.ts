/**
 * The floor under the accept path: Fastify alone, answering POST / with what
 * build/start does to Redis for a new build, through the product's own code
 * (BuildRecordsRepository's claim script, which stores the build and hands it
 * to the intake in one step, on a connection made as the API makes it), and
 * nothing else: no Nest, no authentication, no validation or hashing, no
 * registry check, no hooks. What build/start reaches of this figure is what
 * its own layers cost; what this reaches of the bare server is what the
 * round trip to Redis costs. Run as its own process like the API.
 * FLOOR_BULLMQ_ADD=true stores the build without the intake and then adds it
 * to BullMQ through JobQueues, as build/start did before the intake: the
 * yardstick of what the second round trip and BullMQ's add cost.
 */
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import { BuildRecordsRepository, buildJobName, newBuildId, queuedRecord } from '#libs/builds';
import { loadConfig } from '#libs/config';
import { BUILD_QUEUE, CLEANUP_QUEUE, JobName, JobQueues } from '#libs/queues';
import { createRedis, redisConnectionOptions } from '#libs/redis';

interface StartBody {
  source: string;
  target: string;
  kind: string;
  file: string;
}

const config = loadConfig(process.env);
const connection = { ...redisConnectionOptions(config), enableOfflineQueue: false, commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS };
const queue = (name: string) => new Queue(name, { connection, prefix: config.REDIS_PREFIX });
const records = new BuildRecordsRepository(createRedis(config), config);
const jobs = new JobQueues(queue(BUILD_QUEUE), queue(CLEANUP_QUEUE), config);

const bullmqAdd = process.env.FLOOR_BULLMQ_ADD === 'true';
const app = Fastify({ bodyLimit: 1024 * 1024 });
app.post<{ Body: StartBody }>('/', async (request) => {
  const { source, target, kind, file } = request.body;
  const [user] = target.split(':');
  const id = newBuildId();
  const record = queuedRecord({
    id,
    login: user,
    user,
    kind,
    source,
    target,
    registryHost: '127.0.0.1:5000',
    image: `127.0.0.1:5000/${target}`,
    pushImage: `127.0.0.1:5000/${target}`,
    ensureId: '',
    generation: 0,
    jobName: buildJobName(user, id),
    identity: source,
    claim: target,
    hasFile: true,
    fileSha256: '',
    force: false,
    requestId: '',
    createdAt: Date.now(),
  });
  const claim = await records.claim(record, Buffer.from(file, 'base64').toString('utf8'), { intake: !bullmqAdd });
  if (bullmqAdd) await jobs.add(JobName.Build, { buildId: id }, { jobId: id, priority: 1 });
  return { id, job_name: record.jobName, state: record.state, outcome: claim.outcome };
});
app.get('/', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.LISTEN_PORT), host: process.env.LISTEN_HOST ?? '127.0.0.1' });
