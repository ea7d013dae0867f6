/** Names of a build's objects, all derived from the Job's name, so a retried worker finds them again. */
export interface BuildObjectNames {
  job: string;
  context: string;
  credentials: string;
  /** The install step's BuildKit secrets (CA bundle, package mirrors). */
  installSecrets: string;
}

export function buildObjectNames(jobName: string): BuildObjectNames {
  const base = jobName.replace(/^build-/, '');
  return { job: jobName, context: `cm-${base}`, credentials: `rs-${base}`, installSecrets: `bs-${base}` };
}
