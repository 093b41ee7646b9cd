#!/usr/bin/env -S node --max-semi-space-size=64
// rotor's command line: one file per command under cli/. The larger young
// generation keeps garbage-collection pauses rare with big zones loaded (see
// docs/decisions.md, Performance); `npm start` passes the same flag.
import cluster from 'node:cluster';
import { ConfigError } from './config.js';
import { explainListenError, serve, usage as serveUsage } from './cli/serve.js';
import { mxsim, usage as mxsimUsage } from './cli/mxsim.js';
import { convert, usage as convertUsage } from './cli/convert.js';
import { check, usage as checkUsage } from './cli/check.js';
import { gateway, usage as gatewayUsage } from './cli/gateway.js';
import { ctl, usage as ctlUsage } from './cli/ctl.js';
import { dnssec, usage as dnssecUsage } from './cli/dnssec.js';
import { VERSION } from './version.js';
import { closest } from './suggest.js';

const commands: Record<string, (argv: string[]) => Promise<number>> = { serve, check, convert, mxsim, gateway, ctl, dnssec };

const usage = `usage: rotor <command> [options]

commands:
${serveUsage.split('\n')[0]}
${checkUsage.split('\n')[0]}
${convertUsage.split('\n')[0]}
${mxsimUsage.split('\n')[0]}
${gatewayUsage.split('\n')[0]}
${ctlUsage.split('\n')[0]}
${dnssecUsage.split('\n')[0]}

rotor <command> --help shows a command's options; rotor --version the version.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(`rotor ${VERSION} (Node.js ${process.versions.node})`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    const near = closest(name, Object.keys(commands));
    console.error(`rotor: unknown command "${name}"${near ? `; did you mean "${near}"?` : ''}\n${usage}`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    // Bad settings or arguments are the user's to fix: one line, exit 2.
    const err = e as NodeJS.ErrnoException;
    if (e instanceof ConfigError || err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      console.error(`rotor: ${err.message}`);
    } else if (err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL' || err.code === 'EACCES') {
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
