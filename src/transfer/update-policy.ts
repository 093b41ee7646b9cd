// Who may change what by dynamic update, in the manner of BIND's
// update-policy: a zone's list of grants, each giving one TSIG key the right to
// change some names (exact, a subtree, a pattern, or the whole zone) and some
// types. Nothing is granted by default; an update with one record outside the
// grants of its key is refused whole.
import { suggestion } from '../suggest.js';
import { Name } from '../wire/name.js';
import { typeFromName, typeName } from '../wire/types.js';

export type GrantMatch = 'exact' | 'subdomain' | 'wildcard' | 'zone';
const MATCHES: GrantMatch[] = ['exact', 'subdomain', 'wildcard', 'zone'];
const GRANT_KEYS = ['key', 'name', 'match', 'types'];

export interface Grant {
  /** The key's name as written under `keys` in rotor.yaml. */
  key: string;
  /** The same as a TSIG key name (lowercase, final dot), as a verified request names it. */
  keyName: string;
  match: GrantMatch;
  /** Relative to the zone, lowercase, '' for the apex; a `*` label stands for one or more labels (wildcard). */
  name: string;
  /** Type codes; undefined for every type. */
  types?: Set<number>;
}

export class PolicyError extends Error {}

/**
 * update-policy:
 *   - { key: acme, name: _acme-challenge.*, match: wildcard, types: [TXT] }
 *   - { key: dhcp, name: lan, match: subdomain, types: [A, AAAA, PTR] }
 *   - { key: admin, match: zone }
 */
export function parseUpdatePolicy(at: string, v: unknown): Grant[] {
  if (!Array.isArray(v)) throw new PolicyError(`${at}: expected a list of grants`);
  return v.map((g, i): Grant => {
    const here = `${at}[${i}]`;
    if (typeof g !== 'object' || g === null || Array.isArray(g)) throw new PolicyError(`${here}: expected a mapping {key, name, match, types}`);
    const spec = g as Record<string, unknown>;
    for (const k of Object.keys(spec)) if (!GRANT_KEYS.includes(k)) throw new PolicyError(`${here}: unknown key "${k}"${suggestion(k, GRANT_KEYS)}`);
    if (typeof spec.key !== 'string' || spec.key === '') throw new PolicyError(`${here}.key: expected the name of a key under keys`);
    const match = spec.match ?? 'exact';
    if (typeof match !== 'string' || !MATCHES.includes(match as GrantMatch)) throw new PolicyError(`${here}.match: expected one of ${MATCHES.join(', ')}`);
    let name = '';
    if (match !== 'zone') {
      if (typeof spec.name !== 'string' && typeof spec.name !== 'number') throw new PolicyError(`${here}.name: expected a name relative to the zone ('@' for the apex)`);
      name = String(spec.name).toLowerCase().replace(/\.$/, '');
      if (name === '@') name = '';
      if (name !== '') {
        try {
          Name.parse(`${name}.`);
        } catch (e) {
          throw new PolicyError(`${here}.name: ${(e as Error).message}`);
        }
      }
    } else if (spec.name !== undefined) {
      throw new PolicyError(`${here}.name: match: zone covers every name; leave name out`);
    }
    let types: Set<number> | undefined;
    if (spec.types !== undefined && spec.types !== 'any') {
      const list = Array.isArray(spec.types) ? spec.types : [spec.types];
      types = new Set(list.map((t) => {
        const code = typeof t === 'string' ? typeFromName(t.toUpperCase()) : undefined;
        if (code === undefined) throw new PolicyError(`${here}.types: unknown record type "${String(t)}"`);
        return code;
      }));
    }
    let keyName: string;
    try {
      keyName = Name.parse(spec.key.endsWith('.') ? spec.key : `${spec.key}.`).key;
    } catch (e) {
      throw new PolicyError(`${here}.key: ${(e as Error).message}`);
    }
    return { key: spec.key, keyName, match: match as GrantMatch, name, types };
  });
}

/** Whether the labels of `relative` (leftmost first) match `pattern`'s, a `*` label taking one or more. */
function wildcardMatches(pattern: string[], relative: string[]): boolean {
  if (pattern.length === 0) return relative.length === 0;
  const [head, ...rest] = pattern;
  if (head === '*') {
    for (let take = 1; take <= relative.length; take++) if (wildcardMatches(rest, relative.slice(take))) return true;
    return false;
  }
  return relative.length > 0 && relative[0] === head && wildcardMatches(rest, relative.slice(1));
}

/** `name` relative to `origin` (which contains it), lowercase, '' for the apex. */
function relativeKey(name: Name, origin: Name): string {
  return name.labelCount === origin.labelCount ? '' : name.key.slice(0, name.key.length - origin.key.length - (origin.labelCount === 0 ? 0 : 1));
}

function grantCovers(g: Grant, relative: string, type: number): boolean {
  if (g.types && !g.types.has(type)) return false;
  switch (g.match) {
    case 'zone': return true;
    case 'exact': return relative === g.name;
    case 'subdomain': return g.name === '' || relative === g.name || relative.endsWith(`.${g.name}`);
    case 'wildcard': return wildcardMatches(g.name === '' ? [] : g.name.split('.'), relative === '' ? [] : relative.split('.'));
  }
}

/**
 * Whether the TSIG key `key` may change `type` records at `name` in the zone
 * at `origin`; the reason when it may not, for the log.
 */
export function denied(grants: readonly Grant[], key: Name, origin: Name, name: Name, type: number): string | undefined {
  const relative = relativeKey(name, origin);
  if (grants.some((g) => g.keyName === key.key && grantCovers(g, relative, type))) return undefined;
  return `update-policy of ${origin} does not let key ${key} change ${typeName(type)} at ${name}`;
}
