// The zone of the IXFR journal memory tests (issue 12), in process and spawned.

/** big.test. with `records` TXT records whose data changes with `version`, so that each reload replaces the whole zone. */
export function rewrittenZone(version: number, records: number): string {
  const lines = ['$ORIGIN big.test.', '$TTL 300', `@ SOA ns1 hostmaster ${version} 3600 600 86400 300`, '@ NS ns1', 'ns1 A 192.0.2.1'];
  for (let i = 0; i < records; i++) lines.push(`r${i} TXT "version-${version}-record-${i}"`);
  return lines.join('\n') + '\n';
}
