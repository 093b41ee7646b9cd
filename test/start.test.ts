// npm start's build step (scripts/build-if-changed.mjs) on a tiny project of
// its own: it compiles the first time, not again while nothing changed, and
// again once a source is saved.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO, tempDir } from './e2e/harness.js';

const run = promisify(execFile);

describe('npm start', () => {
  it('builds only when a source changed since the last build', async () => {
    const root = await tempDir({
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'es2022', module: 'nodenext', strict: true } }),
      'tsconfig.build.json': JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'] }),
      'package.json': '{"type": "module"}',
    });
    await mkdir(join(root, 'src'));
    await mkdir(join(root, 'scripts'));
    await writeFile(join(root, 'src', 'cli.ts'), 'export const answer: number = 42;\n');
    await copyFile(join(REPO, 'scripts', 'build-if-changed.mjs'), join(root, 'scripts', 'build-if-changed.mjs'));
    await symlink(join(REPO, 'node_modules'), join(root, 'node_modules'));
    const start = async () => (await run(process.execPath, [join(root, 'scripts', 'build-if-changed.mjs')])).stderr;

    assert.match(await start(), /building dist\/ \(sources changed since the last build\)/);
    assert.match(await start(), /dist\/ is up to date with src\/, not rebuilding/);
    const later = new Date(Date.now() + 5000);
    await utimes(join(root, 'src', 'cli.ts'), later, later);
    assert.match(await start(), /building dist\//);
  });
});
