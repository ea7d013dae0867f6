export interface LogLine {
  time: string;
  text: string;
}

interface ContainerLog {
  lines: LogLine[];
  finished: boolean;
  followers: Set<{ onLine: (line: LogLine) => void; onEnd: () => void }>;
}

/** What the container runtime keeps: each container's lines, and who is following them. */
export class PodLogStore {
  /** Pod uid → container name → log. */
  private readonly logs = new Map<string, Map<string, ContainerLog>>();

  append(podUid: string, container: string, text: string): void {
    const log = this.logOf(podUid, container);
    const line = { time: new Date().toISOString(), text };
    log.lines.push(line);
    for (const follower of log.followers) follower.onLine(line);
  }

  /** The container terminated: followers reach the end of the stream. */
  finish(podUid: string, container: string): void {
    const log = this.logOf(podUid, container);
    log.finished = true;
    for (const follower of [...log.followers]) follower.onEnd();
    log.followers.clear();
  }

  read(podUid: string, container: string): { lines: LogLine[]; finished: boolean } {
    const log = this.logOf(podUid, container);
    return { lines: [...log.lines], finished: log.finished };
  }

  follow(podUid: string, container: string, onLine: (line: LogLine) => void, onEnd: () => void): () => void {
    const follower = { onLine, onEnd };
    const log = this.logOf(podUid, container);
    log.followers.add(follower);
    return () => log.followers.delete(follower);
  }

  /** The pod is gone: end every follower of its containers. */
  forgetPod(podUid: string): void {
    for (const log of this.logs.get(podUid)?.values() ?? []) {
      for (const follower of [...log.followers]) follower.onEnd();
    }
    this.logs.delete(podUid);
  }

  clear(): void {
    for (const podUid of [...this.logs.keys()]) this.forgetPod(podUid);
  }

  private logOf(podUid: string, container: string): ContainerLog {
    let containers = this.logs.get(podUid);
    if (!containers) this.logs.set(podUid, (containers = new Map()));
    let log = containers.get(container);
    if (!log) {
      log = { lines: [], finished: false, followers: new Set() };
      containers.set(container, log);
    }
    return log;
  }
}
