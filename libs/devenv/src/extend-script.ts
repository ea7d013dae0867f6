/** Dependency files of the runtime kinds, in the order /bin/extend looks for them. */
export const DEPENDENCY_FILES = [
  'go.mod',
  'pom.xml',
  'package.json',
  'composer.json',
  'requirements.txt',
  'Gemfile',
  'project.json',
] as const;

/** A line that makes /bin/extend fail, so tests can provoke a failing build. */
export const EXTEND_FAIL_MARKER = '# extend: fail';

/** `# extend: sleep N` makes /bin/extend take N seconds, so tests can act mid-build. */
export const EXTEND_SLEEP_MARKER = '# extend: sleep';

/**
 * /bin/extend of the base image: mimics a runtime image's extend step without
 * network. It "installs" each non-empty line of the dependency file found in
 * /tmp (one log line each) and records the file and its sha256 under /opt/extend.
 */
export const EXTEND_SCRIPT = `#!/bin/sh
set -eu
file=""
for candidate in ${DEPENDENCY_FILES.join(' ')}; do
  if [ -f "/tmp/$candidate" ]; then
    file="$candidate"
    break
  fi
done
if [ -z "$file" ]; then
  echo "extend: no dependency file in /tmp (looked for ${DEPENDENCY_FILES.join(', ')})" >&2
  exit 2
fi
if grep -qxF '${EXTEND_FAIL_MARKER}' "/tmp/$file"; then
  echo "extend: /tmp/$file contains '${EXTEND_FAIL_MARKER}'; failing as asked" >&2
  exit 1
fi
echo "extend: installing dependencies from /tmp/$file"
pause=$(sed -n 's/^${EXTEND_SLEEP_MARKER} \\([0-9][0-9]*\\)$/\\1/p' "/tmp/$file" | head -n 1)
if [ -n "$pause" ]; then
  echo "extend: sleeping $pause s"
  sleep "$pause"
fi
while IFS= read -r line || [ -n "$line" ]; do
  if [ -n "$line" ]; then
    echo "extend: installing $line"
  fi
done < "/tmp/$file"
mkdir -p /opt/extend
cp "/tmp/$file" "/opt/extend/$file"
(cd /opt/extend && sha256sum "$file" > "$file.sha256")
echo "extend: recorded /opt/extend/$file ($(cut -d ' ' -f 1 "/opt/extend/$file.sha256"))"
`;
