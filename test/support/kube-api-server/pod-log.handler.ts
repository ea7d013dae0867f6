import type { ServerResponse } from 'node:http';
import type { ApiRoute } from './api-route.js';
import { arrayAt, recordAt } from './kube-object.js';
import { statusErrors } from './kube-status.js';
import type { ObjectStore } from './object-store.js';
import type { LogLine, PodLogStore } from './pod-log-store.js';

const WAITING_MESSAGES: Record<string, string> = {
  ErrImagePull: 'trying and failing to pull image',
  ImagePullBackOff: "image can't be pulled",
};

/** `GET …/pods/{name}/log`: the container's lines as text/plain, streaming with `follow=true` until it terminates. */
export class PodLogHandler {
  constructor(
    private readonly store: ObjectStore,
    private readonly logs: PodLogStore,
  ) {}

  handle(route: ApiRoute, query: URLSearchParams, response: ServerResponse): void {
    const pod = this.store.peek(route.resource, route.namespace, route.name ?? '');
    if (!pod) throw statusErrors.notFound(route.resource, route.name ?? '');
    const podName = pod.metadata.name;
    const names = (list: string) => arrayAt(pod, 'spec', list).map((container) => String(container['name']));
    const containers = names('containers');
    const inits = names('initContainers');
    const container = query.get('container') || (containers.length === 1 ? containers[0] : undefined);
    if (!container) {
      throw statusErrors.badRequest(`a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}] or one of the init containers: [${inits.join(' ')}]`);
    }
    if (!containers.includes(container) && !inits.includes(container)) throw statusErrors.badRequest(`container ${container} is not valid for pod ${podName}`);
    const status = [...arrayAt(pod, 'status', 'containerStatuses'), ...arrayAt(pod, 'status', 'initContainerStatuses')].find((entry) => entry['name'] === container);
    const waiting = recordAt(status, 'state', 'waiting');
    if (!status || waiting['reason'] !== undefined) {
      const reason = String(waiting['reason'] ?? 'ContainerCreating');
      throw statusErrors.badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${WAITING_MESSAGES[reason] ?? reason}`);
    }

    const timestamps = query.get('timestamps') === 'true';
    const format = (line: LogLine) => `${timestamps ? `${line.time} ` : ''}${line.text}\n`;
    const { lines, finished } = this.logs.read(pod.metadata.uid, container);
    const tail = query.get('tailLines');
    const shown = tail === null ? lines : lines.slice(Math.max(0, lines.length - Number(tail)));
    response.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    response.flushHeaders();
    for (const line of shown) response.write(format(line));
    if (query.get('follow') !== 'true' || finished) {
      response.end();
      return;
    }
    const stop = this.logs.follow(
      pod.metadata.uid,
      container,
      (line) => response.write(format(line)),
      () => response.end(),
    );
    response.on('close', stop);
  }
}
