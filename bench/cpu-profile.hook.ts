/**
 * Loaded (`--import`) into the processes a benchmark starts (those
 * BENCH_NODE_ARGS reaches) when BENCH_CPU_PROFILE names a directory:
 * profiles the process from its start and writes
 * `<dir>/<name>-<pid>.cpuprofile` when it is told to stop (the script's
 * name, or its app's for an app's main.js: api, worker).
 * Node's own `--cpu-prof` writes nothing for the product's processes: Nest
 * re-raises SIGTERM once it has closed, and a process a signal ends skips
 * the write node does at exit. A process with no handler of its own for the
 * signal is ended by it, as it would have been without this hook.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, dirname, join } from 'node:path';

const dir = process.env.BENCH_CPU_PROFILE;
const script = process.argv[1] ?? 'node';
const name = basename(script, '.js') === 'main' ? basename(dirname(dirname(script))) : basename(script, '.js');
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  let stopped = false;
  const writeProfile = (then: () => void) => {
    if (stopped) return then();
    stopped = true;
    session.post('Profiler.stop', (error, result) => {
      if (!error) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
      }
      then();
    });
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = () => {
      const alone = process.listenerCount(signal) === 1;
      writeProfile(() => {
        if (!alone) return;
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      });
    };
    process.prependListener(signal, onSignal);
  }
  process.on('exit', () => writeProfile(() => undefined));
}
