// rotor's version, from package.json: one above src/ and dist/ alike, so the
// source run through tsx and the build report the same.
import { readFileSync } from 'node:fs';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
