import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULTS } from '../config.js';
import { Name, NameError } from '../wire/name.js';
import { typeName } from '../wire/types.js';
import { formatDiagnostic, ZoneLoadError } from '../zone/errors.js';
import { toMasterFile, toYaml } from '../zone/export.js';
import { isYamlFile, loadZoneFile, zoneNameOf, type LoadedZone } from '../zone/load.js';

export const usage = `rotor convert FILE [--origin NAME] [--to yaml|zone] [-o OUT]

Converts a zone between an RFC 1035 master file and rotor's YAML layout.
  --origin NAME      the zone's name (default: from FILE, corp.example.zone → corp.example.)
  --to yaml|zone     output format (default: the one FILE is not in)
  -o, --output OUT   write to OUT instead of standard output
Exit status: 0 converted, 1 zone errors or records left out, 2 bad arguments.`;

export async function convert(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      origin: { type: 'string' },
      to: { type: 'string' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1) throw new ConfigError('convert takes exactly one zone file (see rotor convert --help)');
  const file = positionals[0]!;
  const to = values.to ?? (isYamlFile(file) ? 'zone' : 'yaml');
  if (to !== 'yaml' && to !== 'zone') throw new ConfigError(`--to: expected yaml or zone, got "${to}"`);
  let origin: Name | undefined;
  if (values.origin !== undefined) {
    try {
      origin = Name.parse(values.origin.endsWith('.') ? values.origin : values.origin + '.');
    } catch (e) {
      if (e instanceof NameError) throw new ConfigError(`--origin: ${e.message}`);
      throw e;
    }
  } else if (zoneNameOf(file) === undefined) {
    throw new ConfigError(`cannot tell the zone's name from "${file}" (not <zone>.zone or <zone>.yaml): give --origin`);
  }

  let loaded: LoadedZone;
  try {
    loaded = await loadZoneFile(file, { defaultTtl: DEFAULTS.defaultTtl, origin });
  } catch (e) {
    if (e instanceof ZoneLoadError) {
      for (const d of e.diagnostics) console.error(formatDiagnostic(d));
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code) throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`);
    throw e;
  }
  for (const d of loaded.diagnostics) console.error(formatDiagnostic(d));

  let text: string;
  let status = 0;
  if (to === 'zone') {
    text = toMasterFile(loaded.zone);
  } else {
    const out = toYaml(loaded.zone);
    text = out.text;
    // The rest is still written, but the exit status says the output is incomplete.
    for (const u of out.unconverted) {
      console.error(formatDiagnostic({ pos: u.pos, severity: 'warning', message: `${typeName(u.type)} record at ${u.owner} not converted: ${u.reason}` }));
      status = 1;
    }
  }
  if (values.output === undefined) {
    process.stdout.write(text);
  } else {
    try {
      await writeFile(values.output, text);
    } catch (e) {
      throw new ConfigError(`cannot write ${values.output}: ${(e as Error).message}`);
    }
  }
  return status;
}
