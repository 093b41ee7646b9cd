#!/usr/bin/env node
// rotor's command line: one file per command under cli/.
import { ConfigError } from './config.js';
import { serve, usage as serveUsage } from './cli/serve.js';

const commands: Record<string, (argv: string[]) => Promise<number>> = { serve };

const usage = `usage: rotor <command> [options]

commands:
${serveUsage.split('\n')[0]}

rotor <command> --help shows a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`rotor: unknown command "${name}"\n${usage}`);
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
      console.error(`rotor: cannot listen: ${err.message}`);
    } else {
      console.error(`rotor: ${err.stack ?? err.message}`);
      process.exitCode = 1;
      return;
    }
    process.exitCode = 2;
  },
);
