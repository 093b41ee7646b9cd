// npm start's build step: tsc only when a source or build setting is newer
// than the last build, so that starting again takes a second, not the 30-50 s
// of a full compile. Plain JavaScript: it must run before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const stamp = join(root, 'dist', '.built');

/** The newest modification time under `path`. */
function newest(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const inputs = ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'].map((p) => join(root, p)).filter((p) => existsSync(p));
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : -Infinity;
if (Math.max(...inputs.map(newest)) <= built) {
  console.error('rotor: dist/ is up to date with src/, not rebuilding');
} else {
  console.error('rotor: building dist/ (sources changed since the last build)');
  const started = Date.now();
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // Stamped with the time the build started: a file saved during the build is newer, and the next start builds again.
  writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
  utimesSync(stamp, started / 1000, started / 1000);
  console.error(`rotor: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
