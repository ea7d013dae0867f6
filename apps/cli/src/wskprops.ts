import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The `AUTH` of ~/.wskprops (or $WSK_CONFIG_FILE), as the original tasks read it. */
export async function wskAuth(): Promise<string | undefined> {
  const path = process.env.WSK_CONFIG_FILE ?? join(homedir(), '.wskprops');
  try {
    const text = await readFile(path, 'utf8');
    return /^AUTH=(.+)$/m.exec(text)?.[1]?.trim();
  } catch {
    return undefined;
  }
}
