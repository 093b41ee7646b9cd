// Where the mutation fuzzer starts: queries real clients sent (captured from dig
// 9.18 and kdig 3.2 with the options shown, against a socket that only
// recorded them), plus dns2-built queries for the names of the answer fixture
// that reach every branch of the answer algorithm.
import { makeQuery, Packet } from '../e2e/raw.js';

const CAPTURED: [string, string][] = [
  ['dig corp.example MX', '33aa0120000100000000000104636f7270076578616d706c6500000f000100002904d000000000000c000a00081b71d5d2d0549efe'],
  ['dig mx1.corp.example A +norec', '098c00200001000000000001036d783104636f7270076578616d706c65000001000100002904d000000000000c000a00081e0c56a2f9f02dc5'],
  ['dig mx1.corp.example AAAA +dnssec', '3e7601200001000000000001036d783104636f7270076578616d706c6500001c000100002904d000008000000c000a0008a76cba35a1fe01e3'],
  ['dig corp.example ANY +notcp', 'df750120000100000000000104636f7270076578616d706c650000ff000100002904d000000000000c000a000899343d63fd4f22fc'],
  ['dig corp.example TXT +nsid +expire', '01890120000100000000000104636f7270076578616d706c65000010000100002904d000000000001400030000000a000832ff0b62fe51c80f00090000'],
  ['dig www.corp.example A +subnet=192.0.2.0/24', '9da4012000010000000000010377777704636f7270076578616d706c65000001000100002904d00000000000170008000700011800c00002000a0008e4de4382c63c17b6'],
  ['dig www.corp.example A +noedns', '1381012000010000000000000377777704636f7270076578616d706c650000010001'],
  ['dig www.corp.example A +bufsize=4096 +padding=128', '3e40012000010000000000010377777704636f7270076578616d706c6500000100010000291000000000000053000a00089fde7474f34d2c30000c004300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'],
  ['dig _sip._tcp.corp.example SRV +tcp', '609101200001000000000001045f736970045f74637004636f7270076578616d706c65000021000100002904d000000000000c000a00084e19aea437361818'],
  ['dig corp.example AXFR', '083c0020000100000000000104636f7270076578616d706c650000fc000100002904d000000000000c000a000862fa9ce147c66abd'],
  ['dig corp.example SOA +ednsopt=65001:deadbeef +ednsflags=0x40', 'a43c0120000100000000000104636f7270076578616d706c65000006000100002904d0000000400014000a0008175f3506a887e30dfde90004deadbeef'],
  ['dig version.bind TXT -c CH', '6da7012000010000000000010776657273696f6e0462696e64000010000300002904d000000000000c000a0008a10f95e94da15f21'],
  ['kdig corp.example MX +nsid +edns', 'ba210120000100000000000104636f7270076578616d706c6500000f0001000029100000000000000400030000'],
  ['kdig corp.example CAA +dnssec +subnet=2001:db8::/56', '6c090120000100000000000104636f7270076578616d706c650001010001000029100000008000000f0008000b0002380020010db8000000'],
  // Signed with TSIG_KEY below: a NOTIFY and a transfer request.
  ['dig corp.example SOA +opcode=notify +norec -y hmac-sha256:transfer-key:…', '6f5e2020000100000000000204636f7270076578616d706c65000006000100002904d000000000000c000a0008499a81cda993e05f0c7472616e736665722d6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b0b68ef012c00208969555bcc30863bb2b489600732e9f86918b02a913e7b9819fc1288975766ec6f5e00000000'],
  ['dig corp.example AXFR -y hmac-sha256:transfer-key:…', '7d3b0020000100000000000204636f7270076578616d706c650000fc000100002904d000000000000c000a0008a24b8ccc6bd9abef0c7472616e736665722d6b65790000fa00ff00000000003d0b686d61632d7368613235360000006b0b68f0012c0020ee062c5c4b3d5b7ec605ceaec2fc5ea95323193dc637212f6aa3495d859759b77d3b00000000'],
  ['dig corp.example IXFR=2024010101 +notcp', 'c63e0000000100000001000104636f7270076578616d706c650000fb0001c00c00060001000000000016000078a3f1750000000000000000000000000000000000002904d000000000000c000a0008829fe43c707c47b2'],
];

/** The key the signed seeds were made with (the README's example key). */
export const TSIG_KEY = { 'transfer-key': { algorithm: 'hmac-sha256', secret: 'cm90b3ItdGVzdC1rZXktbm90LWEtcmVhbC1zZWNyZXQ=' } };

/** An EDNS(0) OPT record advertising `size` octets, with no options. */
function opt(size: number): Buffer {
  const rr = Buffer.from([0, 0, 41, 0, 0, 0, 0, 0, 0, 0, 0]);
  rr.writeUInt16BE(size, 3);
  return rr;
}

function withOpt(query: Buffer, size: number): Buffer {
  const out = Buffer.concat([query, opt(size)]);
  out.writeUInt16BE(1, 10);
  return out;
}

const T = Packet.TYPE;
const BUILT: [string, number][] = [
  ['mail.example.test', T.MX], ['example.test', T.MX], ['big.example.test', T.TXT], ['x.sub.example.test', T.A],
  ['to-delegated.example.test', T.A], ['a.wild.example.test', T.MX], ['loop1.example.test', T.A],
  ['chain1.example.test', T.A], ['nothere.example.test', T.AAAA], ['c.example.test', T.TXT],
  ['www.child.example.test', T.A], ['example.test', T.ANY], ['sub.example.test', 43 /* DS */],
  ['outside.invalid', T.A],
];

export const SEEDS: readonly Buffer[] = [
  ...CAPTURED.map(([, hex]) => Buffer.from(hex, 'hex')),
  ...BUILT.flatMap(([name, type], i) => [makeQuery(name, type, i), withOpt(makeQuery(name, type, i + 100), 4096)]),
];
