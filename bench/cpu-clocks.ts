/** Anything whose CPU time so far can be read, in seconds: a child process, or Redis through INFO. */
export interface CpuClock {
  cpuSeconds(): number | Promise<number>;
}

/** Runs `load` and returns its result, how long it took, and the CPU seconds each of `clocks` used meanwhile. */
export async function cpuUsedBy<T>(load: () => Promise<T>, ...clocks: CpuClock[]): Promise<{ result: T; seconds: number; cpu: number[] }> {
  const read = () => Promise.all(clocks.map((clock) => clock.cpuSeconds()));
  const before = await read();
  const started = Date.now();
  const result = await load();
  const seconds = (Date.now() - started) / 1000;
  const after = await read();
  return { result, seconds, cpu: after.map((cpu, i) => cpu - before[i]) };
}

/** Runs `load` and returns its result with the CPU each of `clocks` used meanwhile, in cores, over the same window. */
export async function measured<T>(load: () => Promise<T>, ...clocks: CpuClock[]): Promise<[T, number[]]> {
  const { result, seconds, cpu } = await cpuUsedBy(load, ...clocks);
  return [result, cpu.map((used) => used / seconds)];
}
