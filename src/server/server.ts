// The server process: zones loaded from a directory into a Catalog, and the
// UDP and TCP listeners that feed every message through the pipeline.
import type dgram from 'node:dgram';
import { Catalog } from '../authority/catalog.js';
import { rotationResolver, type RotationSettings } from '../authority/rotation.js';
import type { Logger } from '../log.js';
import { HEADER_LENGTH } from '../wire/header.js';
import { Rcode } from '../wire/types.js';
import { formatHostPort, type ListenAddress } from './address.js';
import type { Reply, RequestContext } from './context.js';
import { handleMessage, type Outcome } from './pipeline.js';
import { bindTcp, type TcpListener } from './tcp.js';
import { bindUdp } from './udp.js';
import { watchZoneDirectory, type DirectoryWatch } from './watch.js';
import { ZoneFiles } from './zones.js';

export interface ServerOptions {
  listen: ListenAddress[];
  zonesDir: string;
  defaultTtl: number;
  tcpIdleTimeoutMs: number;
  rotation: RotationSettings;
  logger: Logger;
}

export class DnsServer {
  readonly catalog = new Catalog();
  private readonly sockets: dgram.Socket[] = [];
  private readonly listeners: TcpListener[] = [];
  readonly bound: ListenAddress[] = [];

  private readonly policy: ReturnType<typeof rotationResolver>;

  constructor(private readonly opts: ServerOptions) {
    this.policy = rotationResolver(opts.rotation);
    this.zones = new ZoneFiles(this.catalog, opts.zonesDir, { defaultTtl: opts.defaultTtl }, opts.logger);
    this.events = this.zones.events;
  }

  /** The zone files behind the catalog; `events` reports their lifecycle. */
  readonly zones: ZoneFiles;
  readonly events: ZoneFiles['events'];
  private watcher: DirectoryWatch | undefined;
  private retry: NodeJS.Timeout | undefined;

  /** Called with every answered request, after the answer is built. */
  readonly observers: ((outcome: Outcome, ctx: RequestContext, startedNs: bigint) => void)[] = [];

  /** Handles one message, answering SERVFAIL rather than dying if a bug throws. */
  handle(msg: Buffer, ctx: RequestContext): Reply {
    const started = process.hrtime.bigint();
    try {
      const outcome = handleMessage(msg, ctx, { catalog: this.catalog, policy: this.policy });
      if (!outcome) return undefined;
      for (const observe of this.observers) observe(outcome, ctx, started);
      return outcome.response;
    } catch (e) {
      this.opts.logger.error({ err: e }, 'internal error while answering');
      if (msg.length < HEADER_LENGTH) return undefined;
      const out = Buffer.alloc(HEADER_LENGTH);
      out.writeUInt16BE(msg.readUInt16BE(0), 0);
      out.writeUInt16BE(0x8000 | (msg.readUInt16BE(2) & 0x7900) | Rcode.SERVFAIL, 2);
      return out;
    }
  }

  /** Loads (or, on SIGHUP, reloads) every zone file in the directory. */
  loadZones(): Promise<void> {
    return this.zones.loadAll();
  }

  /**
   * Follows edits to the zone directory as they happen, and retries zones that
   * failed every `retryMs`, logging their errors again until they are fixed.
   */
  watchZones(quietMs = 250, retryMs = 30_000): void {
    this.watcher = watchZoneDirectory(this.opts.zonesDir, quietMs, (file) => void this.zones.reload(file), (e) => {
      this.opts.logger.error({ err: e, dir: this.opts.zonesDir }, 'cannot watch the zone directory: edits need SIGHUP');
    });
    this.retry = setInterval(() => void this.zones.retryFailing(), retryMs).unref();
  }

  async listen(): Promise<ListenAddress[]> {
    for (const want of this.opts.listen) await this.bindPair(want);
    for (const a of this.bound) this.opts.logger.info({ address: a.host, port: a.port, family: a.family, listen: formatHostPort(a) }, 'listening on UDP and TCP');
    return this.bound;
  }

  /** UDP and TCP on the same port; with port 0 the UDP port is chosen first and TCP follows it. */
  private async bindPair(want: ListenAddress): Promise<void> {
    const tries = want.port === 0 ? 10 : 1;
    for (let attempt = 1; ; attempt++) {
      const socket = await bindUdp(want, (msg, ctx) => this.handle(msg, ctx));
      const port = socket.address().port;
      try {
        const server = await bindTcp({ ...want, port }, (msg, ctx) => this.handle(msg, ctx), { idleTimeoutMs: this.opts.tcpIdleTimeoutMs });
        this.sockets.push(socket);
        this.listeners.push(server);
        this.bound.push({ ...want, port });
        return;
      } catch (e) {
        socket.close();
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= tries) throw e;
      }
    }
  }

  async close(): Promise<void> {
    this.watcher?.close();
    clearInterval(this.retry);
    for (const s of this.sockets) s.close();
    await Promise.all(this.listeners.map((l) => l.close()));
  }
}
