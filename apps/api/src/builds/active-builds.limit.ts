import { TooManyRequestsError } from '#libs/errors';

/** A claim refused because the user has `active` builds in flight (MAX_ACTIVE_BUILDS_PER_USER), for build/start and build/ensure alike. */
export const activeBuildsLimited = (active: number) =>
  new TooManyRequestsError(
    `You have ${active} builds queued or running, the most allowed (MAX_ACTIVE_BUILDS_PER_USER); retry when one ends.`,
    30,
  );
