// ACME end to end: certbot's dns-rfc2136 plugin obtains a certificate from
// Pebble (the ACME test server, validating DNS-01 against rotor) for a name in
// a rotor zone, with a key that may only touch _acme-challenge TXT records.
// The challenge record appears in the YAML file and is gone afterwards, and
// the file is then the original but for the serial.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRotor, tempDir, type Rotor } from './harness.js';
import { freePort } from './daemons.js';

const run = promisify(execFile);
const SECRET = 'cm90b3ItdGVzdC1rZXktbm90LWEtcmVhbC1zZWNyZXQ=';
const ZONE = `# ACME test zone
'':
  - type: SOA
    value: {mname: ns1.acme.example., rname: hostmaster.acme.example., serial: 1, refresh: 3600, retry: 600, expire: 1209600, minimum: 300}
  - type: NS
    value: ns1.acme.example.
ns1:
  type: A
  value: 127.0.0.1   # loopback
www:
  type: A
  value: 127.0.0.1   # the site
`;

describe('certbot --dns-rfc2136 against Pebble, validating at rotor', { timeout: 180_000 }, () => {
  let rotor: Rotor;
  let pebble: ChildProcess;
  let dir: string;
  let zoneFile: string;
  let pebblePort: number;

  before(async () => {
    const zones = await tempDir({ 'acme.example.yaml': ZONE });
    zoneFile = join(zones, 'acme.example.yaml');
    dir = await tempDir();
    await writeFile(join(dir, 'rotor.yaml'), [
      'keys:',
      `  acme-key: { algorithm: hmac-sha256, secret: "${SECRET}" }`,
      'update-policy:',
      '  - { key: acme-key, name: "_acme-challenge.*", match: wildcard, types: [TXT] }',
      '',
    ].join('\n'));
    rotor = await startRotor(zones, ['--config', join(dir, 'rotor.yaml')]);
    // Pebble serves ACME over HTTPS: a certificate for 127.0.0.1 that certbot is told to trust.
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']);
    pebblePort = await freePort();
    const management = await freePort();
    await writeFile(join(dir, 'pebble.json'), JSON.stringify({ pebble: {
      listenAddress: `127.0.0.1:${pebblePort}`, managementListenAddress: `127.0.0.1:${management}`,
      certificate: join(dir, 'cert.pem'), privateKey: join(dir, 'key.pem'),
      httpPort: 5002, tlsPort: 5001, ocspResponderURL: '', externalAccountBindingRequired: false,
    } }));
    // Pebble rejects 5 % of good nonces unless told not to (PEBBLE_WFE_NONCEREJECT), to test
    // clients' retries; certbot 2.1 then fails on josepy's AttributeError while reporting it.
    pebble = spawn('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${rotor.port}`], {
      env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' }, stdio: 'ignore',
    });
    // Ready once it accepts connections.
    for (let i = 0; i < 100; i++) {
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(pebblePort, '127.0.0.1', () => { s.destroy(); resolve(true); });
        s.on('error', () => resolve(false));
      });
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    pebble?.kill('SIGTERM');
    await rotor?.stop();
  });

  it('obtains a certificate; the challenge TXT record comes and goes in the YAML file', async () => {
    const credentials = join(dir, 'rfc2136.ini');
    await writeFile(credentials, [
      'dns_rfc2136_server = 127.0.0.1', `dns_rfc2136_port = ${rotor.port}`, 'dns_rfc2136_name = acme-key',
      `dns_rfc2136_secret = ${SECRET}`, 'dns_rfc2136_algorithm = HMAC-SHA256', '',
    ].join('\n'));
    await chmod(credentials, 0o600);
    // The challenge record stands for a second or so: the file is watched meanwhile.
    let seen = false;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        if ((await readFile(zoneFile, 'utf8')).includes('_acme-challenge.www:')) seen = true;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await run('certbot', ['certonly', '--non-interactive', '--agree-tos', '-m', 'admin@acme.example',
        '--server', `https://127.0.0.1:${pebblePort}/dir`, '--dns-rfc2136', '--dns-rfc2136-credentials', credentials,
        '--dns-rfc2136-propagation-seconds', '1', '-d', 'www.acme.example',
        '--config-dir', join(dir, 'config'), '--work-dir', join(dir, 'work'), '--logs-dir', join(dir, 'logs')],
      { env: { ...process.env, REQUESTS_CA_BUNDLE: join(dir, 'cert.pem') }, timeout: 120_000 });
    } finally {
      watching = false;
      await watch;
    }
    const cert = await run('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', join(dir, 'config', 'live', 'www.acme.example', 'cert.pem')]);
    assert.match(cert.stdout, /DNS:www\.acme\.example/);
    assert.ok(seen, 'the challenge record was in the YAML file');
    // Added and removed: two updates, the serial raised twice, every other line as it was.
    assert.equal(await readFile(zoneFile, 'utf8'), ZONE.replace('serial: 1,', 'serial: 3,'));
  });
});
