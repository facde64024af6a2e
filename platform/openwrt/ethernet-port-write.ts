/**
 * Writes of Device.Ethernet.Interface.{i}. on OpenWrt: Enable, MaxBitRate and DuplexMode become
 * the options of the port's `config device` section (ethernet-port-config.ts), created as
 * `usp_port_<netdev>` when the port has none, committed once and applied with
 * `ubus call network reload` (netifd re-reads the device sections and applies what changed);
 * a failing step or commit reverts (UciWriter).
 *
 * Refused with 7012, writing nothing:
 * - one automatic and one fixed setting (platform/ethernet-link-settings.ts, as on Linux);
 * - a fixed speed and duplex the port's `link-supported` does not list (faster than its fastest
 *   mode, a half duplex it lacks), or any fixed setting where netifd lists no modes;
 * - Enable false on a port the default route leaves through (its interface's device, the VLAN's
 *   base device, a bridge's member port or a DSA port's conduit): that is the way to the
 *   Controller, as the DHCP client refuses it (dhcpv4-client.ts). Without netifd's interface
 *   dump the agent cannot tell, and refuses too.
 *
 * A disabled port is absent from netifd's device dump, so it is listed from its section while
 * /sys/class/net shows it as a port (isPortNetdev) or the agent has numbered it already.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import { AUTOMATIC, type LinkChoice, linkChoice, mergeLinkSettings } from '../ethernet-link-settings.js';
import { refused } from './convert.js';
import { disabledPortNames, newPortSection, portChanges, portEnabled, portLinkSettings, portSection, unsupportedChoice, wantedEnable } from './ethernet-port-config.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { DeviceStatus, DeviceStatusMap, InterfaceDump } from './ubus-types.js';
import { NETWORK_RELOAD, type UciWriter } from './uci.js';
import type { UciConfig } from './uci-show.js';

/** How many devices deep a default route is followed (VLAN → bridge → port → conduit). */
const MAX_STACK_DEPTH = 4;

/** The devices a default route leaves through: each interface's device with a route of prefix length 0, and the devices under it. */
export function defaultRouteDevices(dump: InterfaceDump, devices: DeviceStatusMap): Set<string> {
  const out = new Set<string>();
  const add = (dev: string | undefined, depth: number): void => {
    if (!dev || out.has(dev) || depth > MAX_STACK_DEPTH) return;
    out.add(dev);
    if (dev.includes('.')) add(dev.slice(0, dev.lastIndexOf('.')), depth + 1);
    const d = devices[dev];
    for (const m of d?.['bridge-members'] ?? []) add(m, depth + 1);
    add(d?.conduit, depth + 1);
  };
  for (const i of dump.interface ?? []) {
    if (!(i.route ?? []).some((r) => r.mask === 0)) continue;
    add(i.l3_device, 0);
    add(i.device, 0);
  }
  return out;
}

/**
 * Whether /sys/class/net/`name` is what netifd calls an Ethernet port: DEVTYPE "dsa" in its
 * uevent, or no DEVTYPE and ARPHRD_ETHER (1) as its type (netifd system_add_devtype).
 */
export async function isPortNetdev(sysNetDir: string, name: string): Promise<boolean> {
  if (name.includes('/') || name === '.' || name === '..') return false;
  const read = (file: string): Promise<string | undefined> => fs.readFile(path.join(sysNetDir, name, file), 'utf8').catch(() => undefined);
  const uevent = await read('uevent');
  if (uevent === undefined) return false;
  const devtype = /^DEVTYPE=(.*)$/m.exec(uevent)?.[1];
  if (devtype !== undefined) return devtype === 'dsa';
  return (await read('type'))?.trim() === '1';
}

export class EthernetPortWrites {
  constructor(
    private readonly ctx: OpenWrtContext,
    private readonly uci: UciWriter,
  ) {}

  /** The network config, or undefined while uci cannot read it (a reading then takes netifd's word alone). */
  async config(): Promise<UciConfig | undefined> {
    return this.ctx.uci('network').catch(() => undefined);
  }

  /** Ports a section disables that netifd no longer lists: those /sys shows as ports or the agent knew already. */
  async disabledPorts(listed: ReadonlyMap<string, unknown>, known: (name: string) => boolean): Promise<string[]> {
    const config = await this.config();
    const out: string[] = [];
    for (const name of new Set(disabledPortNames(config ?? []))) {
      if (!listed.has(name) && (known(name) || (await isPortNetdev(this.ctx.sysNetDir, name)))) out.push(name);
    }
    return out;
  }

  /** Applies a Set of port `name` (`d`: netifd's status of it, undefined while it is disabled). */
  async set(name: string, d: DeviceStatus | undefined, changes: Record<string, Value>, path: string): Promise<void> {
    const config = await this.ctx.uci('network');
    const s = portSection(config, name);
    const enable = wantedEnable(changes);
    let choice: LinkChoice | undefined;
    if (changes.MaxBitRate !== undefined || changes.DuplexMode !== undefined) {
      const now = portLinkSettings(s, d);
      const want = mergeLinkSettings(now, changes);
      choice = linkChoice(want, path);
      // A disabled port is absent to netifd, which then knows none of its modes.
      const why = d || choice.auto ? unsupportedChoice(name, choice, d?.['link-supported']) : `${name} is disabled and netifd reports none of its link modes: enable it first`;
      if (why) throw refused(['MaxBitRate', 'DuplexMode'].filter((p) => changes[p] !== undefined).map((param) => ({ param, message: why })));
      // Already automatic with nothing configured: no section to write for it.
      if (choice.auto && now.MaxBitRate === AUTOMATIC.MaxBitRate && now.DuplexMode === AUTOMATIC.DuplexMode && s?.options.autoneg === undefined) choice = undefined;
    }
    if (enable === false && portEnabled(s)) await this.refuseRoutePort(name);
    const section = s?.name ?? newPortSection(config, name);
    const plan = portChanges(section, s, enable, choice);
    if (plan.length === 0) return;
    await this.uci
      .transact(
        'network',
        async (stage) => {
          if (!s) {
            await stage.create(section, 'device');
            await stage.set({ section, option: 'name', value: name });
          }
          for (const c of plan) await stage.set(c);
        },
        NETWORK_RELOAD,
      )
      .finally(() => {
        this.ctx.forgetUci('network');
        this.ctx.forget('network.device', 'status');
      });
    this.ctx.log.info('network configuration changed', { port: name, section, options: plan.map((c) => (c.remove ? `-${c.option}` : `${c.option}=${c.value}`)).join(' ') });
  }

  /** 7012 when the default route leaves through port `name`, or when netifd cannot say. */
  private async refuseRoutePort(name: string): Promise<void> {
    let carriers: Set<string>;
    try {
      const [dump, devices] = await Promise.all([this.ctx.ubus<InterfaceDump>('network.interface', 'dump'), this.ctx.ubus<DeviceStatusMap>('network.device', 'status')]);
      carriers = defaultRouteDevices(dump, devices);
    } catch (e) {
      throw refused([{ param: 'Enable', message: `cannot tell whether the default route (the way to the Controller) leaves through ${name}: ${e instanceof Error ? e.message : String(e)}` }]);
    }
    if (carriers.has(name)) {
      throw new UspError(ErrorCode.InvalidValue, `disabling ${name} would take down the default route (the way to the Controller); add another uplink first`, {
        paramErrors: [{ param: 'Enable', message: `the default route leaves through ${name}`, code: ErrorCode.InvalidValue }],
      });
    }
  }
}
