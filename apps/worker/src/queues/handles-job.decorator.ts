import type { CatalogueJob, JobName, JobResults } from '#libs/queues';

export const HANDLES_JOB = Symbol('handles-job');

/** A method that carries out one job of the catalogue; its job's payload is typed by the job's name. */
export type JobHandlerMethod<N extends JobName> = (job: CatalogueJob<N>, token: string | undefined) => Promise<JobResults[N]>;

/** Binds the method to a job of the catalogue; the worker host finds it at boot. */
export function HandlesJob<N extends JobName>(name: N) {
  return <M extends JobHandlerMethod<N>>(_target: object, _key: string | symbol, descriptor: TypedPropertyDescriptor<M>): void => {
    Reflect.defineMetadata(HANDLES_JOB, name, descriptor.value as object);
  };
}
