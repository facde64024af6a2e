/**
 * The simulated gateway's IPv6 addressing, as a 5G FWA router gets it (3GPP TS 23.501 §5.8.2.2,
 * TS 23.401 §5.3.1.2): with the PDU session the network hands the modem a 64-bit interface
 * identifier (NAS) and then advertises a /64 on the point-to-point PDN link (RA); the router asks
 * for a /56 with DHCPv6 prefix delegation (TS 23.401 §5.3.1.2.6, RFC 8415) and numbers br-lan
 * from its first /64, next to a /64 of its own ULA /48 (RFC 4193, Device.IP.ULAPrefix).
 * Global prefixes come from 2001:db8::/32 (RFC 3849, documentation) and are drawn from the
 * seed, so they can never be routed and the same seed always gets the same plan.
 *
 * The rows of each interface are listed here with fixed instance numbers, present only while
 * what creates them runs: the addresses TR-181's IPv6Address table lists are the ones the
 * interface has, and an interface detached from IPv6 has none (see ip-ipv6.ts).
 */
import type { DataSession } from './cellular-access-point.js';
import { type IPState, LAN_INTERFACE, WAN_INTERFACE } from './ip.js';
import { formatIPv6, formatIPv6Prefix, type IPv6Prefix, LINK_LOCAL, eui64, parseIPv6Prefix, subnet, withInterfaceId } from './ipv6.js';
import { Prng } from './random.js';
import type { SimContext } from './SimContext.js';

/** A row of Device.IP.Interface.{i}.IPv6Prefix.{i}. (lifetimes: wall-clock ms, Infinity = infinite). */
export interface PrefixRow {
  alias: string;
  prefix: string;
  origin: string;
  parentPrefix: string;
  onLink: boolean;
  autonomous: boolean;
  preferredUntil: number;
  validUntil: number;
}
/** A row of Device.IP.Interface.{i}.IPv6Address.{i}. */
export interface AddressRow {
  alias: string;
  address: string;
  origin: string;
  prefix: string;
  preferredUntil: number;
  validUntil: number;
}
export interface InterfaceRows {
  addresses: ReadonlyMap<number, AddressRow>;
  prefixes: ReadonlyMap<number, PrefixRow>;
}

/** Delegated-prefix lease (RFC 8415 §21.22): lifetimes from the network, renewed at T1 = half the preferred one. */
const PD_PREFERRED_S = 43_200;
const PD_VALID_S = 86_400;
const PD_RENEW_S = PD_PREFERRED_S / 2;
const DOCUMENTATION = 0x2001_0db8n << 96n;
const LOOPBACK = 1n;
/** The router's own address in each LAN /64: ::1, as OpenWrt's odhcpd takes it. */
const ROUTER_IID = 1n;

export interface IPv6Inputs {
  ip: IPState;
  session: DataSession;
  lanMac(): string;
}

/** Rows that last as long as what makes them (TR-106: infinite lifetimes). */
const FOREVER = { preferredUntil: Infinity, validUntil: Infinity } as const;
const text = (p: IPv6Prefix): string => formatIPv6Prefix(p);
const none = (): InterfaceRows => ({ addresses: new Map(), prefixes: new Map() });

/**
 * The plan for the seed: the rows of interface n (1 br-lan, 2 wwan0, 3 lo) now. A class, its
 * methods one copy for every gateway of a fleet; what it holds is the gateway's (issue 14).
 */
export class IPv6Plan {
  private readonly wanPrefix: IPv6Prefix;
  private readonly delegated: IPv6Prefix;
  /** The interface identifier the network gives in NAS; the modem forms both its addresses with it. */
  private readonly networkIid: bigint;

  constructor(
    private readonly ctx: SimContext,
    private readonly inputs: IPv6Inputs,
  ) {
    const rnd = new Prng(ctx.seed, 'ipv6');
    const word = (): bigint => BigInt(rnd.int(0, 0xffff));
    const wanSite = rnd.int(0, 0xffff);
    this.wanPrefix = { network: DOCUMENTATION | (BigInt(wanSite) << 80n) | (word() << 64n), length: 64 };
    // The delegated /56 comes from another /48 than the PDN link's /64, as an operator's pools do.
    const pdSite = rnd.int(0, 0xffff);
    this.delegated = {
      network: DOCUMENTATION | (BigInt(pdSite === wanSite ? pdSite ^ 0x8000 : pdSite) << 80n) | (BigInt(rnd.int(0, 0xff)) << 72n),
      length: 56,
    };
    this.networkIid = (word() << 48n) | (word() << 32n) | (word() << 16n) | word() || 1n;
  }

  /** The rows of interface `n` now (none for an interface without IPv6 rows). */
  rows(n: number): InterfaceRows {
    if (n === 1) return this.lan();
    if (n === 2) return this.wan();
    if (n === 3) return this.lo();
    return none();
  }

  private wanV6(): boolean {
    const { ip, session } = this.inputs;
    return ip.ipv6(2) && ip.wanUp() && session.ipv6();
  }

  private pdLease(): { preferredUntil: number; validUntil: number } {
    const since = this.inputs.ip.wanChangedAt();
    const renewedAt = since + Math.floor(Math.max(0, this.ctx.now() - since) / (PD_RENEW_S * 1000)) * PD_RENEW_S * 1000;
    return { preferredUntil: renewedAt + PD_PREFERRED_S * 1000, validUntil: renewedAt + PD_VALID_S * 1000 };
  }

  private lan(): InterfaceRows {
    const { ip } = this.inputs;
    const addresses = new Map<number, AddressRow>();
    const prefixes = new Map<number, PrefixRow>();
    if (!ip.ipv6(1)) return { addresses, prefixes };
    addresses.set(1, {
      alias: 'cpe-br-lan-ll',
      address: formatIPv6(withInterfaceId(LINK_LOCAL, eui64(this.inputs.lanMac()))),
      origin: 'AutoConfigured',
      prefix: '',
      ...FOREVER,
    });
    if (this.wanV6()) {
      const lease = this.pdLease();
      const lanGlobal = subnet(this.delegated, 64, 0);
      prefixes.set(1, {
        alias: 'cpe-br-lan-gua',
        prefix: text(lanGlobal),
        origin: 'Child',
        parentPrefix: `${WAN_INTERFACE}.IPv6Prefix.2`,
        onLink: true,
        autonomous: true,
        ...lease,
      });
      addresses.set(2, { alias: 'cpe-br-lan-gua', address: formatIPv6(withInterfaceId(lanGlobal, ROUTER_IID)), origin: 'AutoConfigured', prefix: `${LAN_INTERFACE}.IPv6Prefix.1`, ...lease });
    }
    const ula = parseIPv6Prefix(ip.lanUla());
    if (ula && ula.length <= 64) {
      const onLink = subnet(ula, 64, 0);
      // TR-181: a ULA /48 row may only be on a downstream interface; it is never advertised itself.
      prefixes.set(2, { alias: 'cpe-br-lan-ula48', prefix: text(ula), origin: 'AutoConfigured', parentPrefix: '', onLink: false, autonomous: false, ...FOREVER });
      prefixes.set(3, {
        alias: 'cpe-br-lan-ula',
        prefix: text(onLink),
        origin: 'Child',
        parentPrefix: `${LAN_INTERFACE}.IPv6Prefix.2`,
        onLink: true,
        autonomous: true,
        ...FOREVER,
      });
      addresses.set(3, { alias: 'cpe-br-lan-ula', address: formatIPv6(withInterfaceId(onLink, ROUTER_IID)), origin: 'AutoConfigured', prefix: `${LAN_INTERFACE}.IPv6Prefix.3`, ...FOREVER });
    }
    return { addresses, prefixes };
  }

  private wan(): InterfaceRows {
    const addresses = new Map<number, AddressRow>();
    const prefixes = new Map<number, PrefixRow>();
    if (!this.wanV6()) return { addresses, prefixes };
    const { wanPrefix, networkIid } = this;
    // TS 29.061 §11.2.1.3.4: the PDN link's prefix is advertised with infinite lifetimes (it lives
    // as long as the session). On a point-to-point link nothing but the gateway is on-link.
    prefixes.set(1, { alias: 'cpe-wwan0-ra', prefix: text(wanPrefix), origin: 'RouterAdvertisement', parentPrefix: '', onLink: false, autonomous: true, ...FOREVER });
    prefixes.set(2, { alias: 'cpe-wwan0-pd', prefix: text(this.delegated), origin: 'PrefixDelegation', parentPrefix: '', onLink: false, autonomous: false, ...this.pdLease() });
    addresses.set(1, { alias: 'cpe-wwan0-ll', address: formatIPv6(withInterfaceId(LINK_LOCAL, networkIid)), origin: 'AutoConfigured', prefix: '', ...FOREVER });
    addresses.set(2, { alias: 'cpe-wwan0-gua', address: formatIPv6(withInterfaceId(wanPrefix, networkIid)), origin: 'AutoConfigured', prefix: `${WAN_INTERFACE}.IPv6Prefix.1`, ...FOREVER });
    return { addresses, prefixes };
  }

  // RFC 4291 §2.5.3: the loopback interface always has ::1 (TR-181 Origin WellKnown).
  private lo(): InterfaceRows {
    return {
      addresses: new Map(this.inputs.ip.ipv6(3) ? [[1, { alias: 'cpe-lo-v6', address: formatIPv6(LOOPBACK), origin: 'WellKnown', prefix: '', ...FOREVER }]] : []),
      prefixes: new Map(),
    };
  }
}
