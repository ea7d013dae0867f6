/** Package indexes an operator points the install step at (air-gapped clusters, internal mirrors). */
export interface PackageMirrors {
  readonly pipIndexUrl?: string;
  readonly npmRegistry?: string;
  readonly composerRepository?: string;
  readonly goProxy?: string;
  readonly gemSource?: string;
}

/** Each mirror as the variables its tools read (uv shares pip's index). */
function variablesOf(mirrors: PackageMirrors): [string, string][] {
  const variables: [string, string | undefined][] = [
    ['PIP_INDEX_URL', mirrors.pipIndexUrl],
    ['UV_INDEX_URL', mirrors.pipIndexUrl],
    ['npm_config_registry', mirrors.npmRegistry],
    ['DEPLOYER_COMPOSER_REPOSITORY', mirrors.composerRepository],
    ['GOPROXY', mirrors.goProxy],
    ['BUNDLE_MIRROR__ALL', mirrors.gemSource],
  ];
  return variables.filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '');
}

const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * The `KEY='value'` lines the install step sources from its secret, or null
 * when no mirror is set. Values may carry credentials: this text goes only
 * into a BuildKit secret, never into a log, a label or a layer.
 */
export function installEnvironment(mirrors: PackageMirrors): string | null {
  const variables = variablesOf(mirrors);
  if (variables.length === 0) return null;
  return variables.map(([name, value]) => `${name}=${quote(value)}\n`).join('');
}
