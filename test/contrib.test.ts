// contrib/rotor.service: what the README promises of it, and systemd's own
// check of the file where systemd-analyze is installed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO, tempDir } from './e2e/harness.js';

const run = promisify(execFile);
const UNIT = join(REPO, 'contrib', 'rotor.service');
const hasAnalyze = await run('systemd-analyze', ['--version']).then(() => true, () => false);

describe('contrib/rotor.service', () => {
  it('binds port 53 by capability, reloads on SIGHUP, and keeps the control socket in its runtime directory', async () => {
    const unit = await readFile(UNIT, 'utf8');
    for (const line of ['AmbientCapabilities=CAP_NET_BIND_SERVICE', 'ExecReload=/bin/kill -HUP $MAINPID', 'RuntimeDirectory=rotor', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'User=rotor']) {
      assert.ok(unit.split('\n').includes(line), line);
    }
    assert.match(await readFile(join(REPO, 'contrib', 'rotor.yaml'), 'utf8'), /^control-socket: \/run\/rotor\/rotor\.sock$/m);
  });

  it('passes systemd-analyze verify', { skip: hasAnalyze ? false : 'systemd-analyze is not installed' }, async () => {
    // verify checks that ExecStart exists: rotor is not installed here, so node stands in for it.
    const dir = await tempDir();
    const copy = join(dir, 'rotor.service');
    await writeFile(copy, (await readFile(UNIT, 'utf8')).replace('/usr/local/bin/rotor', process.execPath));
    const { stderr } = await run('systemd-analyze', ['verify', copy]);
    assert.equal(stderr, '');
  });
});
