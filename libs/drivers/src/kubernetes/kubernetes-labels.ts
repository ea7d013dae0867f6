import { createHash } from 'node:crypto';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'openserverless-deployer';
export const USER_LABEL = 'openserverless.org/user';
export const BUILD_ID_LABEL = 'openserverless.org/build-id';
export const KIND_LABEL = 'openserverless.org/kind';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * A login as a label value. Long or unusual logins become a hash, never a
 * truncation, so that selecting by user can never match someone else.
 */
export function userLabelValue(login: string): string {
  return login.length <= 63 && LABEL_VALUE.test(login)
    ? login
    : `h-${createHash('sha256').update(login).digest('hex').slice(0, 40)}`;
}

export function buildLabels(input: { login: string; buildId: string; kind: string }): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [USER_LABEL]: userLabelValue(input.login),
    [BUILD_ID_LABEL]: input.buildId,
    [KIND_LABEL]: input.kind,
  };
}

/** Label selector of everything the deployer made for one user. */
export const userSelector = (login: string) => `${MANAGED_BY_LABEL}=${MANAGED_BY},${USER_LABEL}=${userLabelValue(login)}`;
export const managedSelector = () => `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

/** Label an operator puts on a registry secret that every user may name in REGISTRY_SECRET. */
export const SHARED_REGISTRY_SECRET_LABEL = 'openserverless.org/registry-secret-shared';

/** A secret a user names is usable only when labelled for that user, or shared with every user on purpose. */
export function registrySecretUsableBy(labels: Record<string, string> | undefined, login: string): boolean {
  return labels?.[USER_LABEL] === userLabelValue(login) || labels?.[SHARED_REGISTRY_SECRET_LABEL] === 'true';
}
