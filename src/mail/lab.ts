// The SMTP half of `rotor mxsim --smtp`: one gateway per address of the MX
// set, on loopback, and the senders' connections to them as real SMTP
// sessions. Addresses already in 127.0.0.0/8 (or ::1), as a lab zone has
// them, are listened on as they are; public ones need a mapping to a loopback
// address. A gateway that is down gets a port nobody listens on, so that its
// connections are refused for real.
import net, { isIPv4 } from 'node:net';
import { DnsError } from '../client/dns.js';
import type { Logger } from '../log.js';
import type { Authority } from '../mxsim/resolver.js';
import type { Family } from '../mxsim/senders.js';
import type { Connect, Outcome } from '../mxsim/simulate.js';
import { sendMail } from './client.js';
import type { Dnsbl } from './dnsbl.js';
import { startGateway, type Gateway } from './gateway.js';

/** A mail zone the lab cannot stand in for (a public address with no mapping). */
export class LabError extends Error {}

export interface GatewayPlan {
  exchange: string;
  /** As the DNS gives it. */
  address: string;
  /** Where its gateway listens: the address itself, or its mapping. */
  listen: string;
  down: boolean;
}

export function isLoopback(address: string): boolean {
  return (isIPv4(address) && address.startsWith('127.')) || address === '::1';
}

/**
 * Every address of every exchange in the domain's MX set, of the families the
 * senders use, with where its gateway will listen. Exchanges whose addresses
 * cannot be had get no gateway: the senders will skip them anyway.
 */
export async function planGateways(
  authority: Authority, domain: string, families: readonly Family[], down: ReadonlySet<string>, map: ReadonlyMap<string, string>,
): Promise<GatewayPlan[]> {
  const answer = await authority.mx(domain);
  const plans: GatewayPlan[] = [];
  for (const { exchange } of answer.mx.records) {
    for (const family of families) {
      let addresses = answer.addresses[family].get(exchange)?.records;
      try {
        addresses ??= (await authority.addresses(exchange, family)).records;
      } catch (e) {
        if (!(e instanceof DnsError)) throw e;
        continue;
      }
      for (const address of addresses) {
        const listen = map.get(address) ?? (isLoopback(address) ? address : undefined);
        if (!listen) throw new LabError(`${exchange} has the address ${address}, outside loopback: map it with --map ${address}=127.0.0.N`);
        plans.push({ exchange, address, listen, down: down.has(exchange) || down.has(address) });
      }
    }
  }
  return plans;
}

/** A free port on `host` that nobody listens on once this returns. */
async function closedPort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface LabStation {
  plan: GatewayPlan;
  port: number;
  /** Absent for a gateway that is down. */
  gateway?: Gateway;
}

export interface SenderIdentity {
  domain: string;
  /** Whether sender i connects from the listed 127.0.0.2. */
  listed: (sender: number) => boolean;
  timeoutMs: number;
}

export class GatewayLab {
  private constructor(readonly stations: LabStation[]) {}

  static async start(plans: readonly GatewayPlan[], opts: { dnsbl?: Dnsbl; logger?: Logger }): Promise<GatewayLab> {
    const stations: LabStation[] = [];
    try {
      for (const plan of plans) {
        if (plan.down) {
          stations.push({ plan, port: await closedPort(plan.listen) });
          continue;
        }
        const gateway = await startGateway({ name: plan.exchange.replace(/\.$/, ''), host: plan.listen, port: 0, ...opts });
        stations.push({ plan, port: gateway.port, gateway });
      }
    } catch (e) {
      await Promise.all(stations.map((s) => s.gateway?.close()));
      throw e;
    }
    return new GatewayLab(stations);
  }

  /** Connections as real SMTP sessions; an address with no station refuses, like one with no server. */
  connect(senders: SenderIdentity): Connect {
    const byAddress = new Map(this.stations.map((s) => [`${s.plan.exchange} ${s.plan.address}`, s]));
    return async ({ exchange, address }, sender): Promise<Outcome> => {
      const station = byAddress.get(`${exchange} ${address}`);
      if (!station) return 'refused';
      const v4 = isIPv4(station.plan.listen);
      const recipient = `postmaster@${senders.domain.replace(/\.$/, '')}`;
      const result = await sendMail({
        host: station.plan.listen,
        port: station.port,
        // The RFC 5782 test points: 127.0.0.2 is listed, 127.0.0.1 is not. IPv6 senders come from ::1.
        ...(v4 ? { localAddress: senders.listed(sender) ? '127.0.0.2' : '127.0.0.1' } : {}),
        helo: `sender${sender}.mxsim.test`,
        from: `sender${sender}@mxsim.test`,
        to: recipient,
        message: `From: <sender${sender}@mxsim.test>\r\nTo: <${recipient}>\r\nSubject: rotor mxsim\r\n\r\nOne message of a simulated hour of mail.`,
        timeoutMs: senders.timeoutMs,
      });
      // A 4xx sends the sender on to the next address, as a refused connection does.
      return result.outcome === 'accepted' ? 'accepted' : result.outcome === 'rejected' ? 'rejected' : 'refused';
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.stations.map((s) => s.gateway?.close()));
  }
}
