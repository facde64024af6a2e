/**
 * An SSDP control point's listening half (UPnP Device Architecture 1.1 section 1), on node:dgram:
 * one IPv4 socket on port 1900 that joins 239.255.255.250 on each interface given and hears the
 * devices' NOTIFY (ssdp:alive, ssdp:byebye), and one on a port of its own that sends M-SEARCH
 * `ssdp:all` and hears the unicast answers. What they say is kept in DiscoveredDevices.
 *
 * Rate: the first M-SEARCH goes out at start, the next 5 s later, and each interval doubles up
 * to 15 minutes; devices re-announce themselves well inside their max-age (UDA 1.1 1.2.2), so a
 * long interval misses nothing. Only packets whose source address is on one of the interfaces'
 * subnets are read, and a packet that fails to parse is dropped (ssdp-message.ts).
 */
import dgram from 'node:dgram';
import type { Logger } from '../../datamodel/Logger.js';
import { sameSubnet, type MdnsInterface } from '../dnssd/mdns-browser.js';
import { DiscoveredDevices } from './discovered-devices.js';
import { encodeMSearch, MAX_SSDP_PACKET, parseSsdp } from './ssdp-message.js';

export const SSDP_GROUP = '239.255.255.250';
export const SSDP_PORT = 1900;
const FIRST_INTERVAL_MS = 5000;
const MAX_INTERVAL_MS = 15 * 60_000;
/** MX: devices spread their answers over this many seconds (UDA 1.1: 1 to 5). */
const MX_S = 2;

export interface SsdpBrowserOptions {
  now: () => number;
  log?: Logger;
  /**
   * The interfaces as they are now, asked again before each M-SEARCH: an interface that gained
   * its address since (a LAN brought up after the agent) is joined then. Undefined: the set
   * given to start() is kept.
   */
  interfacesNow?: () => Promise<MdnsInterface[]>;
}

export class SsdpBrowser {
  readonly devices = new DiscoveredDevices();
  private notifySocket: dgram.Socket | undefined;
  private searchSocket: dgram.Socket | undefined;
  private interfaces: readonly MdnsInterface[] = [];
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = FIRST_INTERVAL_MS;
  private nextSearchAt = 0;
  /** M-SEARCH rounds since start. */
  private searches = 0;

  constructor(private readonly opts: SsdpBrowserOptions) {}

  /** Whether the sockets are open. */
  get listening(): boolean {
    return this.notifySocket !== undefined;
  }

  /** Listens and searches on `interfaces` (replacing any earlier set); resolves once both sockets are bound. */
  async start(interfaces: readonly MdnsInterface[]): Promise<void> {
    this.stop();
    this.interfaces = interfaces;
    const notify = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const search = dgram.createSocket({ type: 'udp4' });
    this.notifySocket = notify;
    this.searchSocket = search;
    for (const s of [notify, search]) s.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    try {
      await Promise.all([bind(notify, SSDP_PORT), bind(search, 0)]);
    } catch (e) {
      this.fail('SSDP socket could not be bound', e);
      return;
    }
    if (this.notifySocket !== notify) return;
    for (const s of [notify, search]) s.on('error', (e) => this.fail('SSDP socket failed', e));
    notify.setMulticastLoopback(false);
    search.setMulticastTTL(2);
    const joined = this.join(notify, interfaces);
    if (joined === 0) {
      this.opts.log?.warn('SSDP discovery on no interface', { interfaces: interfaces.map((i) => i.name).join(',') });
    }
    this.intervalMs = FIRST_INTERVAL_MS;
    this.searches = 0;
    this.nextSearchAt = this.opts.now();
    this.schedule();
  }

  /** Closes both sockets and forgets what was heard. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.notifySocket?.close();
    this.searchSocket?.close();
    this.notifySocket = undefined;
    this.searchSocket = undefined;
    this.devices.clear();
  }

  /** Joins the group on each interface; returns on how many it did. */
  private join(socket: dgram.Socket, interfaces: readonly MdnsInterface[]): number {
    let joined = 0;
    for (const i of interfaces) {
      try {
        socket.addMembership(SSDP_GROUP, i.address);
        joined++;
      } catch (e) {
        this.opts.log?.warn('SSDP group not joined on an interface', { interface: i.name, address: i.address, error: String(e) });
      }
    }
    return joined;
  }

  /** Joins interfaces (addresses) new since the last look; forgets those gone. */
  private async refreshInterfaces(): Promise<void> {
    const socket = this.notifySocket;
    if (!socket || !this.opts.interfacesNow) return;
    const now = await this.opts.interfacesNow().catch(() => undefined);
    if (!now || this.notifySocket !== socket) return;
    const known = new Set(this.interfaces.map((i) => i.address));
    const added = now.filter((i) => !known.has(i.address));
    if (added.length > 0) this.opts.log?.info('SSDP discovery joins new interfaces', { interfaces: added.map((i) => `${i.name}=${i.address}`).join(',') });
    this.join(socket, added);
    // An address gone took its membership with it; the kernel needs no drop.
    this.interfaces = now;
  }

  private fail(what: string, e: unknown): void {
    this.opts.log?.warn(what, { error: e instanceof Error ? e.message : String(e) });
    this.stop();
  }

  private receive(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (msg.length > MAX_SSDP_PACKET) return;
    if (!this.interfaces.some((i) => sameSubnet(rinfo.address, i))) return;
    try {
      const ad = parseSsdp(msg);
      if (!ad) return;
      this.devices.take(ad, rinfo.address, this.opts.now());
      this.schedule();
    } catch (e) {
      // A packet from the LAN must never stop the agent: a fault of ours drops that packet only.
      this.opts.log?.warn('SSDP message dropped', { from: rinfo.address, error: e instanceof Error ? e.message : String(e) });
    }
  }

  private schedule(): void {
    if (!this.searchSocket) return;
    if (this.timer) clearTimeout(this.timer);
    // Wake for the next search, and for the next lease to lapse (so LeaseExpired is seen promptly).
    const due = Math.min(this.nextSearchAt, this.devices.nextDue() ?? Infinity);
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - this.opts.now()));
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    const socket = this.searchSocket;
    if (!socket) return;
    const now = this.opts.now();
    if (now >= this.nextSearchAt) {
      this.nextSearchAt = now + this.intervalMs;
      this.intervalMs = Math.min(this.intervalMs * 2, MAX_INTERVAL_MS);
      // The first search goes out on the interfaces start() was given; later ones look again first.
      void (this.searches++ === 0 ? Promise.resolve() : this.refreshInterfaces()).then(() => {
        if (this.searchSocket === socket) this.search(socket);
      });
    }
    // Lets the table mark lapsed leases and drop old inactive entries now.
    this.devices.roots(now);
    this.schedule();
  }

  /** One M-SEARCH on each interface, one send at a time (each picks its interface first). */
  private search(socket: dgram.Socket): void {
    const packet = encodeMSearch(MX_S);
    let chain = Promise.resolve();
    for (const i of this.interfaces) {
      chain = chain.then(
        () =>
          new Promise<void>((resolve) => {
            if (this.searchSocket !== socket) return resolve();
            try {
              socket.setMulticastInterface(i.address);
              socket.send(packet, SSDP_PORT, SSDP_GROUP, (e) => {
                if (e) this.opts.log?.debug('M-SEARCH not sent', { interface: i.name, error: e.message });
                resolve();
              });
            } catch (e) {
              this.opts.log?.debug('M-SEARCH not sent', { interface: i.name, error: String(e) });
              resolve();
            }
          }),
      );
    }
  }
}

function bind(socket: dgram.Socket, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}
