/**
 * Unique Local Addresses on generic Linux (TR-181 IPv6Interface:1: Device.IP.ULAPrefix,
 * Device.IP.Interface.{i}.ULAEnable), done by the agent since no router daemon does it here
 * (odhcpd does on OpenWrt):
 *
 * - ULAPrefix is the RFC 4193 /48 (fd00::/8 with a random 40-bit Global ID), made once, at its
 *   first reading, and kept in the agent's store, unless a Controller writes one (any /48 in
 *   fc00::/7).
 * - ULAEnable true on an interface gives it a /64 of that prefix, the subnet ID being the
 *   interface's instance number when it was enabled, and the stable address <prefix>:<subnet>::1
 *   (`ip -6 addr replace`); false removes that address. The interfaces are kept in the store by
 *   kernel name with their subnet IDs, so a restart finds them whatever the numbering then, and
 *   `stateLoaded` puts the addresses back on the managed ones (a reboot dropped them). A new ULAPrefix moves every
 *   enabled interface's address to it.
 *
 * Writes follow `--manage-interfaces`: ULAEnable needs its interface managed, a new ULAPrefix
 * every interface that has ULAs on.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { DataStore } from '../../datamodel/store/DataStore.js';
import type { LinuxContext } from './LinuxContext.js';
import { formatIPv6, maskIPv6, parseIPv6 } from './ipv6-text.js';

/** The store row holding the prefix and the ULA interfaces. */
const ROW = 'Device.IP.';
/** Beside ULAPrefix in that row: "eth0=3,lan0=5", each ULA interface with its subnet ID. */
const INTERFACES_KEY = '$ulaInterfaces';
/** At most this many interfaces carry ULAs (the row holds them all). */
const MAX_ULA_INTERFACES = 256;

export class LinuxUla {
  constructor(
    private readonly ctx: LinuxContext,
    private readonly store: DataStore,
    private readonly random: (n: number) => Uint8Array = randomBytes,
  ) {}

  /** Device.IP.ULAPrefix: the stored /48, made (and kept) at the first call when there is none. */
  prefix(): string {
    const stored = this.store.row(ROW)?.ULAPrefix;
    if (typeof stored === 'string' && stored !== '') return stored;
    // RFC 4193 3.2: fd00::/8 and a pseudo-random 40-bit Global ID.
    const id = this.random(5);
    const made = `${formatIPv6(maskIPv6([0xfd00 | id[0]!, (id[1]! << 8) | id[2]!, (id[3]! << 8) | id[4]!, 0, 0, 0, 0, 0], 48))}/48`;
    this.put({ ULAPrefix: made });
    void this.store.flush().catch(() => undefined);
    this.ctx.log?.info('ULA prefix generated (RFC 4193)', { ULAPrefix: made });
    return made;
  }

  /** Whether interface `name` has ULAs on. */
  enabled(name: string): boolean {
    return this.interfaces().has(name);
  }

  /** Sets Device.IP.ULAPrefix: 7012 unless a /48 in fc00::/7; every ULA interface's address moves to it. */
  async setPrefix(value: string, path: string): Promise<void> {
    const m = /^([0-9A-Fa-f:]+)\/48$/.exec(value.trim());
    const groups = m ? parseIPv6(m[1]!) : undefined;
    if (!groups || (groups[0]! & 0xfe00) !== 0xfc00) {
      throw new UspError(ErrorCode.InvalidValue, `${path}ULAPrefix: ${JSON.stringify(value)} is no ULA /48 (RFC 4193: fc00::/7), e.g. fd12:3456:789a::/48`, { path });
    }
    const next = `${formatIPv6(maskIPv6(groups, 48))}/48`;
    const old = this.prefix();
    if (next === old) return;
    const ifs = this.interfaces();
    for (const name of ifs.keys()) this.ctx.ip.requireManaged(name, path);
    for (const [name, subnet] of ifs) await this.ctx.ip.run(['-6', 'addr', 'replace', addressIn(next, subnet), 'dev', name], path);
    for (const [name, subnet] of ifs) await this.ctx.ip.run(['-6', 'addr', 'del', addressIn(old, subnet), 'dev', name], path).catch(() => undefined);
    this.put({ ULAPrefix: next });
  }

  /** IP.Interface.{n}.ULAEnable on `name`: its ULA address added or removed in the kernel, the choice kept. */
  async setEnable(name: string, n: number, on: boolean, path: string): Promise<void> {
    const ifs = this.interfaces();
    if (on === ifs.has(name)) return;
    this.ctx.ip.requireManaged(name, path);
    if (on) {
      if (ifs.size >= MAX_ULA_INTERFACES) throw new UspError(ErrorCode.ResourcesExceeded, `${path}ULAEnable: at most ${MAX_ULA_INTERFACES} interfaces carry ULAs`, { path });
      const subnet = n & 0xffff;
      await this.ctx.ip.run(['-6', 'addr', 'replace', addressIn(this.prefix(), subnet), 'dev', name], path);
      ifs.set(name, subnet);
    } else {
      await this.ctx.ip.run(['-6', 'addr', 'del', addressIn(this.prefix(), ifs.get(name)!), 'dev', name], path).catch((e: unknown) => {
        // Already gone (an operator removed it): the switch still goes off.
        if (!(e instanceof UspError && e.code === ErrorCode.ObjectDoesNotExist)) throw e;
      });
      ifs.delete(name);
    }
    this.put({ [INTERFACES_KEY]: [...ifs].map(([k, v]) => `${k}=${v}`).join(',') });
  }

  /** Puts the ULA addresses back on the interfaces present (after a reboot, or an operator's flush). */
  async stateLoaded(present: ReadonlySet<string>): Promise<void> {
    const ifs = [...this.interfaces()].filter(([name]) => present.has(name));
    // An interface no longer in --manage-interfaces is left as it is (its ULAEnable still reads true).
    for (const [name] of ifs) if (!this.ctx.ip.managed.has(name)) this.ctx.log?.info('ULA address not restored: the interface is not managed', { interface: name, setting: '--manage-interfaces' });
    const managed = ifs.filter(([name]) => this.ctx.ip.managed.has(name));
    if (managed.length === 0) return;
    const prefix = this.prefix();
    for (const [name, subnet] of managed) {
      await this.ctx.ip.run(['-6', 'addr', 'replace', addressIn(prefix, subnet), 'dev', name]).catch((e: unknown) => {
        this.ctx.log?.warn('ULA address not restored', { interface: name, why: e instanceof Error ? e.message : String(e) });
      });
    }
  }

  private interfaces(): Map<string, number> {
    const text = this.store.row(ROW)?.[INTERFACES_KEY];
    const out = new Map<string, number>();
    if (typeof text !== 'string') return out;
    for (const item of text.split(',')) {
      const m = /^(.+)=(\d+)$/.exec(item);
      if (m) out.set(m[1]!, Number(m[2]));
    }
    return out;
  }

  private put(values: Record<string, string>): void {
    this.store.setRow(ROW, { ...(this.store.row(ROW) ?? {}), ...values });
  }
}

/** The interface's ULA address: subnet `subnet` of the /48, interface ID ::1, as a /64. */
export function addressIn(prefix48: string, subnet: number): string {
  const groups = parseIPv6(prefix48.replace(/\/48$/, ''))!;
  return `${formatIPv6([groups[0]!, groups[1]!, groups[2]!, subnet & 0xffff, 0, 0, 0, 1])}/64`;
}
