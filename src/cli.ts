#!/usr/bin/env -S node --max-semi-space-size=64
// rotor's command line: one file per command under cli/. The larger young
// generation keeps garbage-collection pauses rare with big zones loaded (see
// docs/decisions.md, Performance); `npm start` passes the same flag.
import cluster from 'node:cluster';
import { VERSION } from './version.js';
import { closest } from './suggest.js';

interface Command {
  run(argv: string[]): Promise<number>;
  usage: string;
}

// Each command's module is imported only when that command runs: `rotor
// --version` or `rotor ctl` does not read the server's modules (0.13 s to
// start instead of 0.37 s).
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => { const m = await import('./cli/serve.js'); return { run: m.serve, usage: m.usage }; },
  check: async () => { const m = await import('./cli/check.js'); return { run: m.check, usage: m.usage }; },
  convert: async () => { const m = await import('./cli/convert.js'); return { run: m.convert, usage: m.usage }; },
  mxsim: async () => { const m = await import('./cli/mxsim.js'); return { run: m.mxsim, usage: m.usage }; },
  gateway: async () => { const m = await import('./cli/gateway.js'); return { run: m.gateway, usage: m.usage }; },
  ctl: async () => { const m = await import('./cli/ctl.js'); return { run: m.ctl, usage: m.usage }; },
  dnssec: async () => { const m = await import('./cli/dnssec.js'); return { run: m.dnssec, usage: m.usage }; },
};

/** The overview: each command's first usage line. */
async function usage(): Promise<string> {
  const lines = await Promise.all(Object.values(commands).map(async (load) => (await load()).usage.split('\n')[0]));
  return `usage: rotor <command> [options]

commands:
${lines.join('\n')}

rotor <command> --help shows a command's options; rotor --version the version.`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(`rotor ${VERSION} (Node.js ${process.versions.node})`);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    const near = closest(name, Object.keys(commands));
    console.error(`rotor: unknown command "${name}"${near ? `; did you mean "${near}"?` : ''}\n${await usage()}`);
    return 2;
  }
  return (await load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  async (e: unknown) => {
    // Bad settings or arguments are the user's to fix: one line, exit 2.
    const err = e as NodeJS.ErrnoException;
    const { ConfigError } = await import('./config.js');
    if (e instanceof ConfigError || err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      console.error(`rotor: ${err.message}`);
    } else if (err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES') {
      const { explainListenError } = await import('./cli/serve.js');
      console.error(`rotor: cannot listen: ${explainListenError(err)}`);
    } else {
      console.error(`rotor: ${err.stack ?? err.message}`);
      process.exitCode = 1;
      return;
    }
    process.exitCode = 2;
  },
  // A cluster worker's channel to the primary would keep it alive once it is done
  // (or could not start); it leaves as a deliberate exit, with its exit code.
).finally(() => cluster.worker?.disconnect());
