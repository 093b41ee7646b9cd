// rotor ctl: the running server's control, as knotc or rndc are; it talks to
// the server's control socket (control-socket in rotor.yaml, --control).
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../config.js';
import { CONTROL_COMMANDS } from '../control/commands.js';
import { sendRequest } from '../control/socket.js';
import { closest } from '../suggest.js';

export const usage = `rotor ctl [--socket PATH | --config FILE] [--json] status|zones|zone NAME|reload [ZONE]|flush-cache [NAME]|stats|stop

Controls a running rotor serve over its control socket (control-socket in
rotor.yaml, or serve --control PATH), which only the user it runs as may open.
  status             version, uptime, config file, listeners, zone counts
  zones              every zone: serial, records, file, whether its last load failed, catalog membership
  zone NAME          one zone
  reload             reads rotor.yaml again (what can change live changes;
                     what needs a restart is named) and reloads every zone
  reload ZONE        reloads one zone's file
  flush-cache [NAME] empties the forwarder's cache, or NAME and the names below it
  stats              answers by rcode, connections, faults, RRL, forwarder
  stop               stops the server, as SIGTERM does
  --socket PATH      the control socket (default: control-socket of the config)
  --config FILE      the config to take control-socket from (default:
                     ./rotor.yaml, else /etc/rotor/rotor.yaml)
  --json             the server's answer as JSON
Exit code 0 on success, 1 when the server reports a failure, 2 when it cannot be reached.`;

/** --socket, else control-socket from the config file rotor serve would read. */
async function socketPath(socket: string | undefined, config: string | undefined): Promise<string> {
  if (socket) return socket;
  const file = config ?? ['rotor.yaml', '/etc/rotor/rotor.yaml'].find((f) => existsSync(f));
  if (!file) throw new ConfigError('ctl: no --socket given and no rotor.yaml to find control-socket in (here or in /etc/rotor)');
  // Only this key is read: a rotor.yaml with a mistake elsewhere must not keep ctl from reaching the server (to reload it, say).
  let doc: unknown;
  try {
    doc = parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`ctl: cannot read control-socket from ${file}: ${(e as Error).message.split('\n')[0]}; give --socket`);
  }
  const value = (doc as Record<string, unknown> | null)?.['control-socket'];
  const path = typeof value === 'string' && value !== '' ? resolve(dirname(file), value) : undefined;
  if (!path) throw new ConfigError(`ctl: ${file} sets no control-socket: add one (and restart rotor), or give --socket`);
  return path;
}

/** A value as people read it: nested objects as indented lines, lists one item a line. */
function print(value: unknown, indent = ''): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === 'object') {
        console.log(`${indent}- ${Object.entries(item).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join('; ') : String(v)}`).join(', ')}`);
      } else {
        console.log(`${indent}- ${String(item)}`);
      }
    }
    return;
  }
  if (value === null || typeof value !== 'object') {
    console.log(`${indent}${String(value)}`);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object' && !(Array.isArray(v) && v.every((x) => typeof x !== 'object'))) {
      console.log(`${indent}${k}:`);
      print(v, `${indent}  `);
    } else {
      console.log(`${indent}${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
    }
  }
}

export async function ctl(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { socket: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [command, ...args] = positionals;
  if (command === undefined) throw new ConfigError(`ctl: name a command: ${CONTROL_COMMANDS.join(', ')}`);
  if (!(CONTROL_COMMANDS as readonly string[]).includes(command)) {
    const near = closest(command, CONTROL_COMMANDS);
    throw new ConfigError(`ctl: unknown command "${command}"${near ? `; did you mean "${near}"?` : ` (known: ${CONTROL_COMMANDS.join(', ')})`}`);
  }
  const path = await socketPath(values.socket, values.config);
  let reply;
  try {
    reply = await sendRequest(path, { command, args });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' || code === 'ECONNREFUSED' ? 'is rotor running?' : code === 'EACCES' ? 'only the user rotor runs as may use it' : (e as Error).message;
    console.error(`rotor ctl: cannot reach ${path}: ${why}`);
    return 2;
  }
  if (values.json) console.log(JSON.stringify(reply.ok ? reply.result : { error: reply.error }, null, 2));
  if (!reply.ok) {
    if (!values.json) console.error(`rotor ctl: ${reply.error}`);
    return 1;
  }
  if (!values.json) print(reply.result);
  // A reload that kept the old configuration, or a zone whose load failed, is a failure to report.
  const result = reply.result as { error?: string; lastLoadFailed?: boolean } | null;
  return result && (result.error !== undefined || result.lastLoadFailed === true) ? 1 : 0;
}
