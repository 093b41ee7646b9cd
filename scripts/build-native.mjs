// npm's install step: builds the native UDP transport (native/udp.c) with
// node-gyp. It may fail (no compiler, no Node headers, not Linux): rotor then
// runs on node:dgram and says so when it starts, so `npm ci` never fails here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

// npm tells its scripts where its own node-gyp is; outside npm, the one beside npm.
const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp ?? (existsSync(bundled) ? bundled : undefined);
if (process.platform !== 'linux') {
  console.error('rotor: the native UDP transport is for Linux (recvmmsg, sendmmsg); rotor will use node:dgram');
  process.exit(0);
}
if (!gyp) {
  console.error('rotor: node-gyp not found: the native UDP transport is not built; rotor will use node:dgram');
  process.exit(0);
}
const built = spawnSync(process.execPath, [gyp, 'rebuild'], { stdio: 'inherit' });
if (built.status !== 0) {
  console.error(`rotor: the native UDP transport did not build (node-gyp ${built.error?.message ?? `exit ${built.status}`}); rotor will use node:dgram`);
}
