/**
 * The floor under the accept path: Fastify alone, answering POST / with what
 * build/start does to Redis for a new build, through the product's own code
 * (BuildRecordsRepository's claim script, then BullMQ's add through
 * JobQueues, on connections made as the API makes them), and nothing else:
 * no Nest, no authentication, no validation or hashing, no registry check, no
 * hooks. What build/start reaches of this figure is what its own layers cost;
 * what this reaches of the bare server is what the two Redis round trips and
 * BullMQ cost. Run as its own process like the API. FLOOR_ENQUEUE=false
 * leaves BullMQ's add out (the claim alone): the yardstick of an accept path
 * that stores and enqueues a build in one round trip.
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

const enqueue = process.env.FLOOR_ENQUEUE !== 'false';
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
  const claim = await records.claim(record, Buffer.from(file, 'base64'));
  if (enqueue) await jobs.add(JobName.Build, { buildId: id }, { jobId: id, priority: 1 });
  return { id, job_name: record.jobName, state: record.state, outcome: claim.outcome };
});
app.get('/', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.LISTEN_PORT), host: process.env.LISTEN_HOST ?? '127.0.0.1' });
