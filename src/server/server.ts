// The server process: zones loaded from a directory into a Catalog, and the
// UDP and TCP listeners that feed every message through the pipeline.
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Catalog } from '../lifecycle/catalog.js';
import { Rotation, rotationResolver, type RotationSettings } from '../authority/rotation.js';
import { EventLog, type Logger } from '../log.js';
import { HEADER_LENGTH } from '../wire/header.js';
import { Rcode, typeName } from '../wire/types.js';
import type { ResponseSigner } from '../wire/tsig.js';
import { formatHostPort, type ListenAddress } from '../net/address.js';
import type { Reply, RequestContext, Response } from '../net/context.js';
import { AnswerMemo } from '../query/memo.js';
import { handleMessage, type Outcome, type PipelineOptions } from '../query/pipeline.js';
import type { ForwardConfig } from '../resolver/resolver.js';
import { Resolver } from '../resolver/resolver.js';
import { RateLimiter, truncatedReply, type RrlSettings } from '../query/rrl.js';
import { bindTcp, ConnectionTable, TCP_DEFAULTS, type TcpListener, type TcpOptions } from '../net/tcp.js';
import { bindTransport, type UdpTransport } from '../net/transport.js';
import type { UdpCounts, UdpListener } from '../net/udp.js';
import { watchZoneDirectory, type DirectoryWatch } from '../lifecycle/watch.js';
import { ZoneFiles, type ZoneEntry } from '../lifecycle/zones.js';
import { zoneSigning } from '../lifecycle/signing.js';
import type { DnssecSettings } from '../dnssec/settings.js';
import { CatalogZone, type CatalogSettings, type Member } from '../lifecycle/catalog-zone.js';
import type { Identity } from '../query/identity.js';
import type { SourceLimits } from '../zone/source.js';
import { Notifier } from '../transfer/notify.js';
import { defaultTransferSettings, journalBytesFor, settingsFor, type TransferSettings } from '../transfer/settings.js';
import { Transfers } from '../transfer/transfers.js';
import { Updates } from '../update/updates.js';

export interface ServerOptions {
  listen: ListenAddress[];
  zonesDir: string;
  defaultTtl: number;
  tcpIdleTimeoutMs: number;
  /** The other TCP limits (tcp.ts); TCP_DEFAULTS where unset. */
  tcpQueryTimeoutMs?: number;
  tcpMaxQueries?: number;
  tcpMaxConnections?: number;
  tcpMaxConnectionsPerClient?: number;
  tcpMaxConnectionsPerNetblock?: number;
  tcpMaxUnsentBytes?: number;
  /** SO_RCVBUF of the UDP sockets (udp.ts); UDP_RECEIVE_BUFFER where unset. */
  udpReceiveBuffer?: number;
  /** What carries UDP (net/transport.ts); dgram where unset. */
  udpTransport?: UdpTransport;
  /**
   * A worker among several: its UDP socket is its own on the shared port
   * (SO_REUSEPORT) where the transport can, and the port is TCP's, which the
   * cluster shares, when port 0 asks for any.
   */
  reusePort?: boolean;
  /** The account rotor drops to once bound (user:, group:), which shared sockets must belong to. */
  socketOwner?: { uid: number; gid: number };
  /** Response rate limiting over UDP; off when undefined. */
  rrl?: RrlSettings;
  /** The answer memo's cap in bytes (memo.ts); 0 turns it off. */
  answerCacheBytes?: number;
  rotation: RotationSettings;
  /** Forwarding of names outside every local zone; off when undefined. */
  forward?: ForwardConfig;
  /** TSIG keys, allow-transfer and NOTIFY targets; nothing is transferable without them. */
  transfer?: TransferSettings;
  /** Zone signing: the `dnssec:` blocks of rotor.yaml; no zone is signed without them. */
  dnssec?: DnssecSettings;
  /** $INCLUDE directories and the size limit of zone files; SOURCE_DEFAULTS when unset. */
  zoneSources?: SourceLimits;
  /** CH TXT version.bind and friends, and the NSID (query/identity.ts); hidden when unset. */
  identity?: Identity;
  /** Zones listed in rotor.yaml, beside the directory's. */
  zoneList?: ZoneEntry[];
  /** rotor.yaml, when there is one: its time moves the catalog zone's serial (catalogSources). */
  configFile?: string;
  /** The catalog zone (RFC 9432) listing the zones served; none when unset. */
  catalog?: CatalogSettings;
  /** Whether this process sends NOTIFY (with workers, one of them does). */
  sendNotify?: boolean;
  logger: Logger;
}

/** A verified request's reply, signed (RFC 8945 §5.3); any other as it is. */
function signed(response: Response, signer: ResponseSigner | undefined): Response {
  if (!signer) return response;
  return Array.isArray(response) ? response.map((m) => signer.sign(m)) : signer.sign(response);
}

export class DnsServer {
  readonly catalog = new Catalog();
  private readonly sockets: UdpListener[] = [];
  private readonly listeners: TcpListener[] = [];
  readonly bound: ListenAddress[] = [];

  /**
   * The rotation stage of local answers: its counters are read by the metrics
   * and the status page, and outlive a configuration reload, which changes the
   * policy it asks (policyOf).
   */
  readonly rotation = new Rotation((zone, set) => this.policyOf(zone, set));
  private policyOf!: ReturnType<typeof rotationResolver>;
  /** The forwarder, when `forward` is configured. */
  resolver: Resolver | undefined;

  constructor(private opts: ServerOptions) {
    this.eventLog = new EventLog(opts.logger);
    const journalBytes = (origin: string) => journalBytesFor(this.opts.transfer ?? defaultTransferSettings(), origin);
    const notify = opts.sendNotify ?? true;
    this.catalogZone = new CatalogZone(this.catalog, {
      logger: opts.logger, journalBytes, published: (zone, previous) => { if (notify) this.notifier.zoneLoaded(zone, previous); },
      sources: (members) => this.catalogSources(members),
    });
    this.zones = new ZoneFiles(this.catalog, opts.zonesDir, this.loadOptions(opts), opts.logger, {
      journalBytes,
      reserved: (origin) => origin === this.catalogZone.origin ? 'the catalog zone rotor writes (catalog.name in rotor.yaml)' : undefined,
      canForward: () => this.resolver !== undefined,
      dnssec: (origin) => this.opts.dnssec && zoneSigning(this.opts.dnssec, origin, this.opts.logger),
    }, opts.zoneList);
    this.events = this.zones.events;
    // One for the server's life: its queues keep one zone's updates in order across configuration reloads.
    this.updates = new Updates(this.catalog, this.zones, (origin) => settingsFor(this.opts.transfer ?? defaultTransferSettings(), origin).updatePolicy, this.eventLog);
    if (notify) this.events.on('loaded', (zone, _file, previous) => this.notifier.zoneLoaded(zone, previous));
    // A zone leaves the catalog in the step it stops being served; one that appears joins it shortly after.
    this.events.on('loaded', (_zone, _file, previous) => { if (!previous) this.catalogZone.added(); });
    this.events.on('removed', () => this.catalogZone.update());
    this.configure(opts);
    this.tcp = {
      idleTimeoutMs: opts.tcpIdleTimeoutMs,
      queryTimeoutMs: opts.tcpQueryTimeoutMs ?? TCP_DEFAULTS.queryTimeoutMs,
      maxQueries: opts.tcpMaxQueries ?? TCP_DEFAULTS.maxQueries,
      maxUnsentBytes: opts.tcpMaxUnsentBytes ?? TCP_DEFAULTS.maxUnsentBytes,
      connections: new ConnectionTable({
        max: opts.tcpMaxConnections ?? TCP_DEFAULTS.maxConnections,
        perClient: opts.tcpMaxConnectionsPerClient ?? TCP_DEFAULTS.maxConnectionsPerClient,
        perNetblock: opts.tcpMaxConnectionsPerNetblock ?? TCP_DEFAULTS.maxConnectionsPerNetblock,
      }),
    };
  }

  /**
   * What the catalog serial is the newest time of: the zone directory (its time
   * moves when a file is added, removed or renamed), rotor.yaml (zones listed
   * there, members' properties), the members' files and the directories that
   * hold those listed in rotor.yaml.
   */
  private catalogSources(members: readonly Member[]): Set<string> {
    const fileOf = new Map(this.zones.files().map((f) => [f.origin, f.file]));
    const sources = new Set([this.opts.zonesDir]);
    if (this.opts.configFile) sources.add(this.opts.configFile);
    for (const m of members) {
      const file = fileOf.get(m.zone.key);
      if (file) sources.add(file).add(dirname(file));
    }
    return sources;
  }

  private loadOptions(opts: ServerOptions) {
    return { defaultTtl: opts.defaultTtl, sources: opts.zoneSources };
  }

  /**
   * What a configuration reload may change while the server runs: rotation,
   * forwarding, RRL, keys, transfer and query policies, and how zone files are
   * read. Each is built whole and then put in place in one synchronous step,
   * so a query is answered under the old settings or the new ones, never a mix.
   * The listeners, the TCP limits and the memo's size keep what they started with.
   */
  private configure(opts: ServerOptions): void {
    const policyOf = rotationResolver(opts.rotation);
    const resolver = opts.forward && new Resolver({ forward: opts.forward, rotation: opts.rotation.policy, logger: opts.logger, events: this.eventLog });
    const transfer = opts.transfer ?? defaultTransferSettings();
    const transfers = new Transfers(transfer, opts.logger, this.eventLog);
    const notifier = new Notifier(transfer, opts.logger, this.eventLog);
    // A new memo: the answers it holds were rotated under the old policy.
    const memo = opts.answerCacheBytes === 0 ? undefined : new AnswerMemo(this.catalog, this.rotation, opts.answerCacheBytes);
    const pipeline: PipelineOptions = { catalog: this.catalog, rotation: this.rotation, recursion: resolver, transfers, memo, identity: opts.identity };
    if (opts.catalog) {
      // Its own allow-query when set; else the secondaries it is for, as allow-transfer and transfer-key say.
      const acl = transfer.zones.get(opts.catalog.name.key)?.allowQuery;
      pipeline.catalogZone = { origin: opts.catalog.name.key, mayQuery: (zone, ctx, key) => acl ? acl.allows(ctx.client.address) : transfers.allows(zone, ctx, key) };
    }
    // allow-query at the top level or for any zone; a zone's own list wins.
    if (transfer.defaults.allowQuery || [...transfer.zones.values()].some((z) => z.allowQuery)) {
      pipeline.allowQuery = (zone, client) => (transfer.zones.get(zone.origin.key)?.allowQuery ?? transfer.defaults.allowQuery)?.allows(client) ?? true;
    }
    // UPDATE stays NOTIMP until some zone has an update-policy.
    if ([transfer.defaults, ...transfer.zones.values()].some((z) => z.updatePolicy?.length)) pipeline.updates = this.updates;
    const rrl = opts.rrl && new RateLimiter(opts.rrl, opts.logger);
    this.notifier?.close();
    Object.assign(this, { opts, policyOf, resolver, notifier, pipeline, rrl });
    this.zones.configure(this.loadOptions(opts), opts.zoneList);
    this.catalogZone.configure(opts.catalog);
  }

  /** A configuration reload: the live settings of `opts` take effect at once (see configure), then every zone is loaded again. */
  reconfigure(opts: ServerOptions): Promise<void> {
    this.configure({ ...opts, logger: this.opts.logger });
    this.catalogZone.update();
    return this.reloadZones();
  }

  /** Lines for what anyone can cause, a line a second per kind at most. */
  readonly eventLog: EventLog;
  /** What went wrong and was survived: datagrams dropped unread, replies not sent, bugs met while answering. */
  readonly faults: UdpCounts & { internalErrors: number } = { portZero: 0, sendFailures: 0, internalErrors: 0 };

  /** Response rate limiting, when configured: UDP only, TCP being the way around it for real clients. */
  rrl: RateLimiter | undefined;
  readonly tcp: TcpOptions;
  private closing = false;
  /** Answers that come later (forwarded), which a shutdown waits for. */
  private readonly inFlight = new Set<Promise<unknown>>();

  private notifier!: Notifier;
  /** Made once per configuration: an object per query is garbage for the collector to chase. */
  private pipeline!: PipelineOptions;

  /** The catalog zone (RFC 9432) for secondaries, when configured: written from the zones served. */
  readonly catalogZone: CatalogZone;
  /** The zone files behind the catalog; `events` reports their lifecycle. */
  readonly zones: ZoneFiles;
  /** Dynamic updates, applied to the zone files (src/update/). */
  private readonly updates: Updates;
  readonly events: ZoneFiles['events'];
  private watcher: DirectoryWatch | undefined;

  /**
   * Replies sent, by rcode, for `rotor ctl stats`: counted here rather than by
   * an observer, which would cost every query a read of the clock.
   */
  readonly answered: number[] = [];

  /** Called with every answered request, after the answer is built. */
  readonly observers: ((outcome: Outcome, ctx: RequestContext, startedNs: bigint) => void)[] = [];

  /** Handles one message, answering SERVFAIL rather than dying if a bug throws. */
  handle(msg: Buffer, ctx: RequestContext): Reply {
    if (this.closing) return undefined;
    // The clock is read only for observers: at ~100k queries a second it shows.
    const started = this.observers.length > 0 ? process.hrtime.bigint() : 0n;
    try {
      const outcome = handleMessage(msg, ctx, this.pipeline);
      if (!outcome) return undefined;
      if (outcome instanceof Promise) {
        // An observer that throws is a bug met while answering, as a failed resolution is.
        const later = outcome.then((o) => this.observed(o, ctx, started)).catch((e: unknown) => this.failed(msg, ctx, e));
        this.inFlight.add(later);
        void later.finally(() => this.inFlight.delete(later));
        return later;
      }
      return this.observed(outcome, ctx, started);
    } catch (e) {
      return this.failed(msg, ctx, e);
    }
  }

  private observed(outcome: Outcome, ctx: RequestContext, started: bigint): Response | undefined {
    if (outcome.error !== undefined) this.logFault(outcome.error);
    return this.reply(outcome, ctx, started);
  }

  /**
   * The last step of every reply, whatever built it (a local answer, the memo,
   * the forwarder, a transfer, an error): RRL chooses whether it goes out, whole
   * or truncated, from the outcome; then a verified request's reply is signed
   * here and nowhere else, so no path can send it unsigned. Sizes were fitted
   * when the bytes were encoded, to the limit the pipeline set (TSIG's room
   * taken off). Observers see only what goes out, when `started` says when it
   * came in (a reply without it is not observed).
   */
  private reply(outcome: Outcome, ctx: RequestContext, started?: bigint): Response | undefined {
    const verdict = this.rrl && ctx.transport === 'udp' ? this.rrl.check(outcome, ctx.client.address) : 'send';
    if (verdict === 'drop') return undefined;
    this.answered[outcome.rcode] = (this.answered[outcome.rcode] ?? 0) + 1;
    if (started !== undefined) for (const observe of this.observers) observe(outcome, ctx, started);
    if (outcome.ede) this.logRefusal(outcome, ctx);
    return signed(verdict === 'slip' ? truncatedReply(outcome.response) : outcome.messages ?? outcome.response, outcome.signer);
  }

  /** Why a query was REFUSED or SERVFAILed, as its extended error says: a line a second per kind, anyone can cause these. */
  private logRefusal(outcome: Outcome, ctx: RequestContext): void {
    const servfail = outcome.rcode === Rcode.SERVFAIL;
    const q = outcome.question;
    this.eventLog.log(servfail ? 'warn' : 'info', servfail ? 'servfail' : 'refused', {
      client: ctx.client.address, qname: q?.name.toString(), qtype: q ? typeName(q.type) : undefined, ede: outcome.ede!.code,
    }, `${servfail ? 'SERVFAIL' : 'REFUSED'}: ${outcome.ede!.text}`);
  }

  private logFault(e: unknown): void {
    this.faults.internalErrors++;
    this.eventLog.log('error', 'internal error', { err: e, errors: this.faults.internalErrors }, 'internal error while answering');
  }

  /**
   * A bug met before the request's signature was verified (or in an observer):
   * an unsigned SERVFAIL, as for any unverified request, through the final step
   * (RRL) but not the observers, which may be what failed.
   */
  private failed(msg: Buffer, ctx: RequestContext, e: unknown): Response | undefined {
    this.logFault(e);
    if (msg.length < HEADER_LENGTH) return undefined;
    const out = Buffer.alloc(HEADER_LENGTH);
    out.writeUInt16BE(msg.readUInt16BE(0), 0);
    out.writeUInt16BE(0x8000 | (msg.readUInt16BE(2) & 0x7900) | Rcode.SERVFAIL, 2);
    return this.reply({ response: out, rcode: Rcode.SERVFAIL, aa: false, answers: 0 }, ctx);
  }

  /**
   * The first load of every zone file in the directory, before the server
   * answers. On the loader thread like every later load: a version crosses
   * as transferred buffers, so this costs no time, and the garbage of parsing
   * stays in that thread's heap, which ends with it. Parsed here, it would
   * leave this heap's young generation grown to its maximum for good, and
   * every scavenge while serving a pause of milliseconds (issue 17's p99).
   */
  async loadZones(): Promise<void> {
    await this.zones.loadAll();
    this.catalogZone.update();
  }

  /** SIGHUP: loads the directory again; when that fails, it is logged and the zones loaded before stay served. */
  reloadZones(): Promise<void> {
    return this.zones.loadAll().catch(this.logFailure('cannot reload the zone directory: the zones loaded before stay served'));
  }

  /** A handler for the rejection of work nobody awaits: a reload that fails must not end the process. */
  private logFailure(msg: string): (e: unknown) => void {
    return (e) => this.opts.logger.error({ err: e, dir: this.opts.zonesDir }, msg);
  }

  /**
   * Follows edits to the zone directory as they happen (zones that fail are
   * retried by ZoneFiles, with backoff, logging their errors until fixed).
   */
  watchZones(quietMs = 250): void {
    // ZoneFiles.reload logs its own failures: nothing reaches here to catch.
    this.watcher = watchZoneDirectory(this.opts.zonesDir, quietMs, (file) => void this.zones.changed(file),
      this.logFailure('cannot watch the zone directory: edits need SIGHUP'));
  }

  async listen(): Promise<ListenAddress[]> {
    for (const want of this.opts.listen) await this.bindPair(want);
    // The receive buffer as the kernel granted it (Linux reports twice what it reserves, and caps the request at rmem_max).
    this.bound.forEach((a, i) => this.opts.logger.info({
      address: a.host, port: a.port, family: a.family, listen: formatHostPort(a), udpReceiveBuffer: this.sockets[i]!.receiveBuffer(),
      udpTransport: this.opts.udpTransport ?? 'dgram',
    }, 'listening on UDP and TCP'));
    return this.bound;
  }

  private bindUdp(want: ListenAddress): Promise<UdpListener> {
    return bindTransport(this.opts.udpTransport ?? 'dgram', want, (msg, ctx) => this.handle(msg, ctx), this.eventLog, this.faults, {
      receiveBuffer: this.opts.udpReceiveBuffer, reusePort: this.opts.reusePort, owner: this.opts.socketOwner,
    });
  }

  /**
   * UDP and TCP on the same port; with port 0 the UDP port is chosen first and
   * TCP follows it, except in a worker with its own UDP socket: there the
   * cluster gives every worker the same TCP port, and UDP follows it.
   */
  private async bindPair(want: ListenAddress): Promise<void> {
    if (this.opts.reusePort) {
      const server = await bindTcp(want, (msg, ctx) => this.handle(msg, ctx), this.tcp);
      const port = (server.server.address() as AddressInfo).port;
      try {
        this.sockets.push(await this.bindUdp({ ...want, port }));
      } catch (e) {
        await server.close(0);
        throw e;
      }
      this.listeners.push(server);
      this.bound.push({ ...want, port });
      return;
    }
    const tries = want.port === 0 ? 10 : 1;
    for (let attempt = 1; ; attempt++) {
      const socket = await this.bindUdp(want);
      const port = socket.port();
      try {
        const server = await bindTcp({ ...want, port }, (msg, ctx) => this.handle(msg, ctx), this.tcp);
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

  /**
   * Stops accepting queries, lets the answers already owed go out (TCP answers,
   * and forwarded ones over UDP too) for up to `graceMs`, then closes every socket.
   */
  async close(graceMs = 2000): Promise<void> {
    this.closing = true;
    this.watcher?.close();
    this.notifier.close();
    this.catalogZone.close();
    const zones = this.zones.close();
    const tcp = Promise.all(this.listeners.map((l) => l.close(graceMs)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(this.inFlight), new Promise((r) => { timer = setTimeout(r, graceMs); })]);
    clearTimeout(timer);
    // A send is handed to the socket on a later tick; closing first would cancel it.
    await new Promise((r) => setImmediate(r));
    for (const s of this.sockets) s.close();
    await Promise.all([tcp, zones]);
  }
}
