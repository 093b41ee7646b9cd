import cluster from 'node:cluster';
import { chown } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConfigError, DEFAULTS, loadConfig, parseListenList, parseLogFormat, parseLogLevel, parseMetricsAddress, parseQueryLog, parseTransport, parseWorkers, reloadedConfig, type Config,
} from '../config.js';
import { controlHandler, type ReloadReport } from '../control/commands.js';
import { answerRelayed, relay } from '../control/relay.js';
import { listenControl, type ControlListener } from '../control/socket.js';
import { createLogger, type Logger } from '../log.js';
import { formatHostPort, type ListenAddress } from '../net/address.js';
import { chooseTransport } from '../net/transport.js';
import { observeForPrimary, startClusterMonitor } from '../observe/cluster.js';
import { startMonitor } from '../observe/monitor.js';
import { queryLogger } from '../observe/querylog.js';
import { dropPrivileges, resolveAccount } from '../privileges.js';
import { reportReady, sendsNotify, superviseWorkers } from '../server/cluster.js';
import { DnsServer } from '../server/server.js';
import { VERSION } from '../version.js';

export const usage = `rotor serve [--config FILE] [--zones DIR] [--listen ADDR:PORT]...

Serves every DIR/<zone>.yaml and DIR/<zone>.zone, and the zones listed under
zone: in rotor.yaml, over UDP and TCP.
  --config FILE        settings (default: ./rotor.yaml when present)
  --zones DIR          zone directory (default: ./zones)
  --listen ADDR:PORT   address to answer on, repeatable; IPv6 as [::1]:5300
                       (default: 127.0.0.1:5300; port 0 picks a free port)
  --log-level LEVEL    trace, debug, info, warn, error
  --log-format FORMAT  json or pretty (default: pretty on a terminal, else json)
  --query-log VALUE    on, off (default) or a sample rate from 0 to 1
  --metrics ADDR:PORT  serve /metrics, /healthz, /readyz and the status page
                       (off by default; CoreDNS uses 127.0.0.1:9153)
  --workers N|auto     server processes sharing the sockets, each with its own
                       rotation counters (default 1; auto: one per CPU)
  --control PATH       the Unix socket rotor ctl talks to (control-socket)
  --transport T        UDP through native (batched, the default where it was
                       built at install) or dgram (node:dgram)
SIGHUP (or rotor ctl reload) reads the config again and reloads every zone.`;

type Options = Partial<Record<'zones' | 'log-level' | 'log-format' | 'query-log' | 'metrics' | 'workers' | 'control' | 'transport', string>> & { listen?: string[] };

/** The command line wins over rotor.yaml, at start and at every reload. */
function withOptions(config: Config, values: Options): Config {
  const c = { ...config, zonesDir: resolve(values.zones ?? config.zonesDir) };
  if (values.listen) c.listen = parseListenList('--listen', values.listen);
  if (values['log-level']) c.logLevel = parseLogLevel('--log-level', values['log-level']);
  if (values['log-format']) c.logFormat = parseLogFormat('--log-format', values['log-format']);
  if (values['query-log']) c.queryLog = parseQueryLog('--query-log', values['query-log']);
  if (values.metrics) c.metrics = parseMetricsAddress('--metrics', values.metrics);
  if (values.workers) c.workers = parseWorkers('--workers', values.workers);
  if (values.control) c.controlSocket = resolve(values.control);
  if (values.transport) c.transport = parseTransport('--transport', values.transport);
  // Each worker would sign on its own: the same keys (made once, under the key directory's lock) but
  // other signatures (ECDSA's random nonces, jittered expirations) and re-signs at other moments, so
  // secondaries would be told one serial for different zones. Until one process signs for all, refuse.
  const signing = c.dnssec.global !== undefined || [...c.dnssec.zones.values()].some((z) => z.block !== false);
  if (c.workers > 1 && signing) {
    throw new ConfigError(`workers: ${c.workers} with dnssec: each worker would sign the zones itself, and secondaries would get different signatures under one serial; run one process (workers: 1) to sign zones`);
  }
  return c;
}

/**
 * Why a listener could not bind, for the one line rotor prints: a port below
 * 1024 taken by a user without the capability gets the way out.
 */
export function explainListenError(err: NodeJS.ErrnoException & { port?: number }): string {
  if (err.code !== 'EACCES') return err.message;
  return `${err.message}: ports below 1024 need root or the CAP_NET_BIND_SERVICE capability: run it from the systemd unit in contrib/ (AmbientCapabilities=CAP_NET_BIND_SERVICE), or grant it with setcap 'cap_net_bind_service=+ep' on the node binary, or start as root with user: and group: in rotor.yaml, or listen on a port from 1024 up`;
}

/** A listener that cannot bind says which one it is: the metrics port taken is not the DNS port taken. */
async function metricsListener<T>(address: ListenAddress, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code) err.message = `metrics listener (metrics: ${formatHostPort(address)}): ${err.message}`;
    throw e;
  }
}

/**
 * The first line of the log: what was read, from where (absolute paths), so
 * that a stray ./rotor.yaml is seen at once. `config` is null when no file was read.
 */
function logStart(logger: Logger, configFile: string | undefined, config: Config, extra: Record<string, unknown> = {}): void {
  logger.info({ zones: config.zonesDir, config: configFile ?? null, zoneFiles: config.zoneList.map((z) => z.file), version: VERSION, ...extra }, 'rotor starting');
}

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      zones: { type: 'string' },
      listen: { type: 'string', multiple: true },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      'query-log': { type: 'string' },
      metrics: { type: 'string' },
      workers: { type: 'string' },
      control: { type: 'string' },
      transport: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const given = values.config ?? (existsSync('rotor.yaml') ? 'rotor.yaml' : undefined);
  const configFile = given === undefined ? undefined : resolve(given);
  let config = withOptions(configFile ? await loadConfig(configFile) : { ...DEFAULTS, zonesDir: resolve(DEFAULTS.zonesDir) }, values);
  if (!existsSync(config.zonesDir)) throw new ConfigError(`zone directory ${config.zonesDir} does not exist`);
  const account = resolveAccount(config.user, config.group);

  const base = createLogger(config.logLevel, config.logFormat);
  // Fixed at start, as the sockets are: a reload does not change the transport.
  const udp = chooseTransport(config.transport);
  if (config.transport === 'native' && udp.fallback !== undefined) {
    throw new ConfigError(`transport: native: the native UDP module cannot be loaded (${udp.fallback}); build it with npm rebuild (a C compiler is needed), or use dgram`);
  }
  if (udp.fallback !== undefined && cluster.isPrimary) base.warn({ reason: udp.fallback }, 'native UDP transport unavailable: using node:dgram');
  // A worker binds its own UDP socket on the shared port (SO_REUSEPORT) where the transport can.
  const listening = { udpTransport: udp.transport, reusePort: cluster.isWorker, socketOwner: account };
  if (config.workers > 1 && cluster.isPrimary) {
    logStart(base, configFile, config, { workers: config.workers });
    for (const warning of config.warnings) base.warn(`rotor.yaml: ${warning}`);
    const monitor = config.metrics ? await metricsListener(config.metrics, () => startClusterMonitor(config.metrics!, config.workers, base, config.monitor)) : undefined;
    // The primary reads rotor.yaml on SIGHUP too, to name what waits for a restart; each worker applies the rest itself.
    process.on('SIGHUP', () => {
      if (!configFile) return;
      loadConfig(configFile).then((next) => {
        const { needRestart } = reloadedConfig(config, withOptions(next, values));
        for (const warning of next.warnings) base.warn(`rotor.yaml: ${warning}`);
        if (needRestart.length > 0) base.warn({ settings: needRestart }, `rotor.yaml: ${needRestart.join(', ')} changed, and take effect only after a restart`);
      }, (e: unknown) => base.error(`rotor.yaml not reloaded: ${(e as Error).message}; the running configuration stays`));
    });
    const control = config.controlSocket ? await listenControl(config.controlSocket, async (request) => {
      if (request.command === 'stop') {
        setImmediate(() => process.kill(process.pid, 'SIGTERM'));
        return { stopping: true };
      }
      // Every worker does it (a reload, say); each answers for itself: one answer shown, stats per worker.
      const replies = await relay(request);
      if (request.command === 'stats' || request.command === 'status') return { pid: process.pid, workers: replies };
      return replies[0]?.result;
    }, base) : undefined;
    if (control && account) await chown(control.path, account.uid, account.gid);
    const code = await superviseWorkers(config.workers, base, account && (() => dropPrivileges(account, config.user, base)));
    await Promise.all([monitor?.close(), control?.close()]);
    return code;
  }
  // A worker's lines say which worker wrote them.
  const logger = cluster.isWorker ? base.child({ worker: cluster.worker!.id }) : base;
  logStart(logger, configFile, config);
  // With workers, the primary has said it.
  if (cluster.isPrimary) for (const warning of config.warnings) logger.warn(`rotor.yaml: ${warning}`);
  const server = new DnsServer({ ...config, ...listening, configFile, logger, sendNotify: sendsNotify() });
  let queryLog = config.queryLog > 0 ? queryLogger(logger, config.queryLog) : undefined;
  if (queryLog) server.observers.push(queryLog);
  // With workers, the primary serves what they count.
  const monitor = !config.metrics ? undefined : cluster.isWorker ? observeForPrimary(server)
    : await metricsListener(config.metrics, () => startMonitor(server, config.metrics!, logger, config.monitor));
  await server.loadZones();
  if (server.catalog.size === 0 && server.zones.failing.size === 0) {
    logger.warn({ zonesDir: config.zonesDir }, `no zone to serve: ${config.zonesDir} holds no <zone>.yaml or <zone>.zone file and rotor.yaml lists none; every query will be REFUSED (/readyz says 503)`);
  }
  server.watchZones();

  let reloading: Promise<ReloadReport> | undefined;
  /** SIGHUP and rotor ctl reload: rotor.yaml again, then every zone. One at a time; a broken file keeps the running configuration. */
  const reload = (): Promise<ReloadReport> => reloading ??= (async (): Promise<ReloadReport> => {
    if (!configFile) {
      await server.reloadZones();
      return { needRestart: [] };
    }
    let next: Config;
    try {
      next = withOptions(await loadConfig(configFile), values);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      logger.error({ config: configFile }, `rotor.yaml not reloaded: ${e.message}; the running configuration stays`);
      await server.reloadZones();
      return { config: configFile, needRestart: [], error: e.message };
    }
    const { config: running, needRestart } = reloadedConfig(config, next);
    config = running;
    if (cluster.isPrimary) for (const warning of config.warnings) logger.warn(`rotor.yaml: ${warning}`);
    if (needRestart.length > 0) logger.warn({ settings: needRestart }, `rotor.yaml: ${needRestart.join(', ')} changed, and take effect only after a restart`);
    logger.level = config.logLevel;
    if (queryLog) server.observers.splice(server.observers.indexOf(queryLog), 1);
    queryLog = config.queryLog > 0 ? queryLogger(logger, config.queryLog) : undefined;
    if (queryLog) server.observers.push(queryLog);
    logger.info({ config: configFile }, `rotor.yaml reloaded from ${configFile}; reloading every zone`);
    await server.reconfigure({ ...config, ...listening, configFile, logger, sendNotify: sendsNotify() });
    return { config: configFile, needRestart };
  })().finally(() => { reloading = undefined; });

  let stop: (signal: string) => void = () => {};
  const startedAt = Date.now();
  const handler = controlHandler({
    server, version: VERSION, config: configFile, zonesDir: config.zonesDir, startedAt, reload, stop: () => stop('rotor ctl stop'),
  });
  // With workers, the primary owns the control socket and passes requests on.
  let control: ControlListener | undefined;
  if (config.controlSocket && cluster.isWorker) answerRelayed(handler);
  else if (config.controlSocket) {
    control = await listenControl(config.controlSocket, handler, logger);
    // The socket stays the owner's only: the owner becomes the account rotor drops to.
    if (account) await chown(control.path, account.uid, account.gid);
  }
  await server.listen();
  if (account) dropPrivileges(account, config.user, logger);
  reportReady();
  process.on('SIGHUP', () => {
    // The configuration is read again too; its own lines say how that went.
    logger.info('SIGHUP: reloading every zone');
    reload().catch((e: unknown) => logger.error({ err: e }, 'reload failed'));
  });

  await new Promise<void>((done) => {
    stop = (signal: string) => {
      stop = () => {};
      logger.info({ signal }, 'shutting down');
      void Promise.all([server.close(), monitor?.close(), control?.close()]).then(() => logger.info('stopped'), (e: unknown) => {
        logger.error({ err: e }, 'stopped, with an error on the way');
      }).then(() => {
        // The answers owed are out; nothing left over (a timer, a socket) may hold the exit.
        setTimeout(() => process.exit(0), 1000).unref();
        done();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
