// What a record-type module is: the description of one type's RDATA that the
// registry, the codec above it and the zone formats all work from. Most types are
// a list of fields and nothing more; the hooks are for the ones that are not.
// Record data itself is always a Buffer: the RDATA in uncompressed wire form,
// names in the case they were written.
import type { Name } from '../wire/name.js';
import type { MessageWriter } from '../wire/writer.js';

/**
 * One RDATA field, in wire order. `label` is the field's name in messages
 * ("MX preference") and in the master-file error for missing fields.
 */
export type Field = {
  label: string;
  /** Why a value read from text or RFC 3597 data is not valid (CAA tag), or undefined. */
  validate?(value: FieldValue): string | undefined;
} & (
  | {
    kind: 'u8' | 'u16' | 'u32';
    /** Presentation form may be a duration such as 1h30m (SOA timers). */
    duration?: true;
    /** Presentation form may be a mnemonic (a DNSSEC algorithm: RSASHA256); the number of one, or undefined. */
    named?: (text: string) => number | undefined;
  }
  | { kind: 'ipv4' | 'ipv6' }
  | { kind: 'name' }
  /** One <character-string>: a length octet and up to 255 octets. */
  | { kind: 'string' }
  /** One or more <character-string>s up to the end (TXT); in text, every token left. */
  | { kind: 'strings' }
  /** The octets up to the end, written as one quoted string (CAA value). */
  | { kind: 'octets' }
  /**
   * The octets up to the end, written in hexadecimal (DS digest) or base64 (DNSKEY
   * key): in text every token left, joined; printed as BIND does, in groups of 56.
   */
  | { kind: 'hex' | 'base64' }
  /** A type bitmap up to the end (RFC 4034 §4.1.2): in text, every token left is a type. */
  | { kind: 'types' }
);

/** A decoded field: numbers, addresses as their bytes, names, octets. */
export type FieldValue = number | Buffer | Name | Buffer[];

/**
 * The master-file tokens after the type, as the zone parser offers them: each
 * accessor reads token i and reports its errors at that token's position.
 */
export interface TextArgs {
  readonly count: number;
  name(i: number): Name;
  /** The name at token i written into `w`, uncompressed: name(i)'s wire form, with no Name made where none is needed. */
  writeName(i: number, w: MessageWriter): void;
  uint(i: number, bits: 8 | 16 | 32, what: string): number;
  /** A number of seconds or a duration (1h30m). */
  duration(i: number, what: string): number;
  /** The token as written, for a parser of the type's own (it may throw ValueError). */
  text<T>(i: number, parse: (text: string) => T): T;
  /** A <character-string> of at most 255 octets. */
  characterString(i: number): Buffer;
  /** Octets with escapes decoded, any length. */
  octets(i: number): Buffer;
  /** Throws an error placed at token i. */
  fail(i: number, message: string): never;
}

/**
 * One value of an octoDNS YAML record, as the YAML reader offers it: errors are
 * reported at the node they are about (a field's own node where there is one).
 */
export interface YamlValue {
  /** The value as a scalar string; `what` names it in the error. */
  text(what: string): string;
  /** The items when the value is a sequence. */
  items(): YamlValue[] | undefined;
  isMap(): boolean;
  /** The keys when the value is a mapping. */
  keys(): string[] | undefined;
  has(key: string): boolean;
  /**
   * A field without judging it: undefined when the value is no mapping or has no
   * such key, a scalar's value, or else something that is neither.
   */
  peek(key: string): unknown;
  /** A field of a mapping value ("MX value has no "exchange""). */
  field(key: string, what: string): YamlValue;
  /** An unsigned field, named `${what} ${key}` in errors. */
  uint(key: string, bits: 8 | 16 | 32, what: string): number;
  /** A domain-name field relative to the zone's origin. */
  name(key: string, what: string): Name;
  /** The zone's origin, which relative names are under. */
  readonly origin: Name;
  /** The value as a scalar holding the type's master-file text (the shape of the types octoDNS lacks). */
  fromText(mnemonic: string): Buffer;
  /** Throws an error placed at this node. */
  fail(message: string): never;
  /** A warning placed at this node (a deprecated shape that still reads). */
  warn(message: string): void;
}

export type YamlOut = { value: unknown } | { reason: string };

export interface RRTypeModule {
  readonly code: number;
  readonly mnemonic: string;
  readonly fields: readonly Field[];
  /**
   * Names in the data may be compressed when written. Only the types of RFC 1035
   * (RFC 3597 §4); for the others the names are written in full.
   */
  readonly compress: boolean;
  /** A sender may have compressed the names: they are decompressed when read (RFC 3597 §4). */
  readonly decompress: boolean;
  /** Names are lowercased in canonical form (RFC 4034 §6.2, RFC 6840 §5.1). */
  readonly canonicalLower: boolean;
  /**
   * The index of the name field that additional-section processing looks up
   * (RFC 1035 §3.3: MX exchange, NS target; RFC 2782: SRV target).
   */
  readonly additional?: number;
  /** The index of the name field a resolver follows next (CNAME, PTR, and the additional ones). */
  readonly target?: number;
  /**
   * No presentation syntax of its own: written only in RFC 3597 form (\# LENGTH HEX),
   * and the fields (if any) only say where names are for decompression.
   */
  readonly generic?: true;
  /**
   * Not an IANA type (ALIAS): master files get it in RFC 3597 form as TYPEnnn,
   * which other servers load, while rotor's readers also take the mnemonic.
   */
  readonly privateUse?: true;
  /**
   * `parseText` checks the number of tokens itself (optional parts: SVCB params,
   * LOC minutes); otherwise the master-file parser asks one token a field.
   */
  readonly ownTokenCount?: true;
  /** For a type whose text is not its fields one token each (LOC, SVCB): parses the tokens. */
  parseText?(args: TextArgs): Buffer;
  /** For such a type: prints the data, names through `name`. */
  printText?(rdata: Buffer, name: (n: Name) => string): string;
  /** The octoDNS YAML value shape: to wire form, and back (or why it cannot be written). */
  readonly yaml: {
    parse(value: YamlValue): Buffer;
    print(rdata: Buffer): YamlOut;
  };
  /** Warnings about one record's data, as `rotor check` reports them. */
  check?(rdata: Buffer): string[];
}
