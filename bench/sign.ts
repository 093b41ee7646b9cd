// A large zone signed from cold by rotor and by BIND's dnssec-signzone, side by
// side in one run, with the same keys (dnssec-keygen's, which rotor reads), the
// same algorithm and the same denial (issue 15: rotor in no more time than
// `dnssec-signzone -n 2` on a 2-core machine):
//   node --import tsx scripts/gen-zone.ts --records 1000000 --out /tmp/z1m
//   node --import tsx bench/sign.ts [--dir /tmp/z1m] [--origin gen.example] [--rounds 3] [--algorithm 13] [--denial nsec|nsec3]
// Each round runs dnssec-signzone, then a fresh rotor process that loads the
// master file and signs it (signZone on the signing threads, one per core).
// The figures are wall-clock seconds; rotor's are also split into load and sign.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { readBindKeyPair } from '../src/dnssec/bind-key-files.js';
import { ALGORITHM_NAMES, isAlgorithm, type Algorithm, type SigningKey } from '../src/dnssec/keys.js';
import type { DnssecPolicy } from '../src/dnssec/policy.js';
import { signZone } from '../src/dnssec/signer.js';
import { signingPool } from '../src/dnssec/signing-pool.js';
import { loadZoneVersion } from '../src/zone/load.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '/tmp/z1m' },
    origin: { type: 'string', default: 'gen.example' },
    rounds: { type: 'string', default: '3' },
    algorithm: { type: 'string', default: '13' },
    denial: { type: 'string', default: 'nsec' },
    // Internal: one rotor signing, in the process the parent starts.
    child: { type: 'string' },
  },
  strict: true,
});
const algorithmNumber = Number(values.algorithm);
if (!isAlgorithm(algorithmNumber) || (values.denial !== 'nsec' && values.denial !== 'nsec3')) {
  console.error('usage: sign.ts [--dir DIR] [--origin NAME] [--rounds N] [--algorithm 8|13|15] [--denial nsec|nsec3]');
  process.exit(2);
}
const algorithm: Algorithm = algorithmNumber;
const denial: DnssecPolicy['denial'] = values.denial;
const originText = values.origin.replace(/\.$/, '');
const zoneFile = join(values.dir, `${originText}.zone`);

function loadKeys(keyDir: string): SigningKey[] {
  return readdirSync(keyDir).filter((f) => f.endsWith('.key')).map((f) => {
    const base = join(keyDir, f.slice(0, -4));
    const read = (ext: string) => ({ file: base + ext, text: readFileSync(base + ext, 'utf8') });
    return readBindKeyPair(read('.key'), read('.private'));
  });
}

async function child(keyDir: string): Promise<void> {
  const keys = loadKeys(keyDir);
  const ksk = keys.filter((k) => k.flags & 1);
  const zsk = keys.filter((k) => !(k.flags & 1));
  const policy: DnssecPolicy = {
    algorithm, keys: 'ksk+zsk', denial, nsec3: { iterations: 0, salt: Buffer.alloc(0), optOut: false },
    signatureValidity: 30 * 86400, refresh: 7 * 86400, dnskeyTtl: 3600, keyDirectory: keyDir,
  };
  const t0 = performance.now();
  const { zone } = await loadZoneVersion(zoneFile, { defaultTtl: 3600 });
  const t1 = performance.now();
  // How long the serving thread is kept from answering while the zone is signed: the event loop's delays.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const signed = await signZone(zone.version, { published: keys, keySigning: ksk, zoneSigning: zsk, cds: ksk }, policy, Date.now() / 1000);
  const t2 = performance.now();
  delay.disable();
  await signingPool().close();
  console.log(JSON.stringify({
    load: (t1 - t0) / 1000, sign: (t2 - t1) / 1000, records: zone.version.recordCount, signatures: signed.made, threads: signingPool().size,
    delayP99: delay.percentile(99) / 1e6, delayMax: delay.max / 1e6, maxRssMb: process.resourceUsage().maxRSS / 1024,
  }));
}

function run(cmd: string, args: string[], cwd?: string): { seconds: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}${r.error?.message ?? ''}`);
  return { seconds, stdout: r.stdout };
}

async function main(): Promise<void> {
  if (values.child) return child(values.child);
  const work = mkdtempSync(join(tmpdir(), 'rotor-sign-bench-'));
  try {
    const name = ALGORITHM_NAMES[algorithm];
    run('dnssec-keygen', ['-q', '-K', work, '-a', name, '-f', 'KSK', originText]);
    run('dnssec-keygen', ['-q', '-K', work, '-a', name, originText]);
    const nsec3 = denial === 'nsec3' ? ['-3', '-', '-H', '0'] : [];
    const bindArgs = ['-n', '2', '-S', '-K', work, '-o', originText, '-f', join(work, 'signed'), ...nsec3, zoneFile];
    console.log(`zone ${zoneFile}, ${name}, ${denial}, KSK+ZSK`);
    console.log(`BIND:  dnssec-signzone ${bindArgs.join(' ')}`);
    console.log(`rotor: node --import tsx bench/sign.ts --child KEYDIR (load the file, signZone)`);
    for (let round = 1; round <= Number(values.rounds); round++) {
      // In the work directory: dnssec-signzone writes its dsset- file where it runs.
      const bind = run('dnssec-signzone', bindArgs, work);
      const rotor = run(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', work, '--dir', values.dir, '--origin', originText, '--algorithm', String(algorithm), '--denial', denial]);
      const r = JSON.parse(rotor.stdout.trim().split('\n').pop()!) as { load: number; sign: number; records: number; signatures: number; threads: number; delayP99: number; delayMax: number; maxRssMb: number };
      console.log(
        `round ${round}: dnssec-signzone -n 2 ${bind.seconds.toFixed(1)} s | rotor ${rotor.seconds.toFixed(1)} s ` +
        `(process; load ${r.load.toFixed(1)} s + sign ${r.sign.toFixed(1)} s, ${r.records} records, ${r.signatures} signatures, ${r.threads} threads; ` +
        `event loop delay while signing p99 ${r.delayP99.toFixed(0)} ms, max ${r.delayMax.toFixed(0)} ms; max RSS ${r.maxRssMb.toFixed(0)} MB)`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
