/**
 * The install step every kind shares, as a POSIX shell script that the
 * Dockerfile bind-mounts and runs as root. It is constant text per kind: the
 * user's file is only ever read by the tools, never spliced into the script.
 *
 * - The operator's CA bundle and package mirrors arrive as BuildKit secrets,
 *   so they reach this step and never a layer of the image.
 * - A runtime's own /bin/extend is its contract and always wins.
 * - A failure prints one `deployer-install: <Reason>: <message>` line, which
 *   the worker turns into the build's reason.
 */

/** Where the Dockerfile mounts the install files inside the build step. */
export const INSTALL_MOUNT_DIR = '/run/deployer';
/** Context file name of the install script. */
export const INSTALL_SCRIPT_FILE = 'deployer-install.sh';
/** BuildKit secret carrying `KEY='value'` lines for the package tools (mirrors). */
export const INSTALL_ENV_SECRET = 'deployer-install-env';
/** BuildKit secret carrying a PEM bundle of the CAs the package tools must trust. */
export const CA_BUNDLE_SECRET = 'deployer-ca-bundle';
/** The prefix of the line a failing install step prints. */
export const INSTALL_MARKER = 'deployer-install:';

const PRELUDE = `#!/bin/sh
# Written by the deployer: installs a dependency file into a runtime image.
set -u
say() { echo "${INSTALL_MARKER} $*"; }
fail() { reason="$1"; shift; echo "${INSTALL_MARKER} $reason: $*"; exit 1; }
if [ -f /run/secrets/${CA_BUNDLE_SECRET} ]; then
  ca=/run/secrets/${CA_BUNDLE_SECRET}
  export SSL_CERT_FILE="$ca" NODE_EXTRA_CA_CERTS="$ca" PIP_CERT="$ca" REQUESTS_CA_BUNDLE="$ca" \\
    CURL_CA_BUNDLE="$ca" GIT_SSL_CAINFO="$ca" BUNDLE_SSL_CA_CERT="$ca"
  say "trusting the operator's CA bundle"
fi
if [ -f /run/secrets/${INSTALL_ENV_SECRET} ]; then
  set -a
  . /run/secrets/${INSTALL_ENV_SECRET}
  set +a
  say "using the operator's package mirrors"
fi
if [ -x /bin/extend ]; then
  say "running the runtime's /bin/extend"
  /bin/extend || fail InstallFailed "/bin/extend exited with status $?"
  exit 0
fi
`;

/** The whole script of a kind: the shared prelude, then the kind's fallback for images without /bin/extend. */
export function installScript(fallback: string): string {
  return `${PRELUDE}${fallback.trim()}\n`;
}
