import { invalidDependencyFile } from '../dependency-file-checks.js';

/** Composer's own rule for package names (vendor/project, lowercase). */
const PACKAGE_NAME = /^[a-z0-9]([_.-]?[a-z0-9]+)*\/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$/;
/** Version constraints: printable ASCII, no quote or backslash; each goes to composer as one argument. */
const CONSTRAINT = /^[A-Za-z0-9 .,*<>=!~^|@+_-]{1,200}$/;
const MAX_PACKAGES = 500;

/** Platform packages describe the PHP the runtime already is; composer cannot install them. */
function isPlatformPackage(name: string): boolean {
  return (
    /^(php|php-64bit|php-ipv6|php-zts|php-debug|hhvm|composer|composer-plugin-api|composer-runtime-api)$/.test(name) ||
    /^(ext|lib)-/.test(name)
  );
}

/**
 * The `require` of a composer.json as `name:constraint` lines, platform
 * packages left out. Throws InvalidDependencyFile when a name or constraint
 * is not one composer could accept, so nothing odd reaches the install step.
 */
export function composerRequirements(content: string): string[] {
  if (content.trim() === '') return [];
  const document = JSON.parse(content) as { require?: unknown };
  const require = document.require;
  if (require === undefined) return [];
  if (typeof require !== 'object' || require === null || Array.isArray(require)) {
    throw invalidDependencyFile('composer.json', '"require" must be an object of package names and version constraints');
  }
  const entries = Object.entries(require as Record<string, unknown>).filter(([name]) => !isPlatformPackage(name.toLowerCase()));
  if (entries.length > MAX_PACKAGES) throw invalidDependencyFile('composer.json', `it requires more than ${MAX_PACKAGES} packages`);
  return entries.map(([name, constraint]) => {
    if (!PACKAGE_NAME.test(name)) {
      throw invalidDependencyFile('composer.json', `"${name.slice(0, 100)}" is not a valid package name (vendor/name, lowercase)`);
    }
    if (typeof constraint !== 'string' || !CONSTRAINT.test(constraint.trim())) {
      throw invalidDependencyFile('composer.json', `the version constraint of ${name} is not valid`);
    }
    return `${name}:${constraint.trim()}`;
  });
}
