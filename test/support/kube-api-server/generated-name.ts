/** The alphabet and length the apiserver uses for `metadata.generateName` suffixes (no vowels, no look-alikes). */
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_PREFIX = 63 - 5;

export function generateName(prefix: string, random: () => number = Math.random): string {
  let suffix = '';
  for (let index = 0; index < 5; index++) suffix += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return `${prefix.slice(0, MAX_PREFIX)}${suffix}`;
}
