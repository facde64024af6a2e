/**
 * Device.UPnP.Device. and .Capabilities. (UPnPDev:1) on OpenWrt: the miniupnpd package's own
 * UCI config, `/etc/config/upnpd` (`config upnpd 'config'`), which its init script turns into
 * miniupnpd's file at each start or reload.
 *
 * - Served only where the package is installed: its /etc/config/upnpd exists (what makes `uci
 *   show upnpd` answer), looked at once when the platform is registered, which is synchronous (the
 *   supported model is fixed from then on; asking uci itself would cost a process at every start);
 *   `--upnp-igd off` (UCI `upnp_igd 'off'`) hides it.
 * - Enable is the section's `enabled` (the init script starts nothing with '0'; absent reads as
 *   on, as the script's default), UPnPIGD its `enable_upnp` (the IGD; NAT-PMP, `enable_natpmp`, is
 *   no UPnP and left alone). A Set writes them (`uci set`, `uci commit upnpd`) and runs
 *   `/etc/init.d/miniupnpd reload`, which starts, restarts or stops the procd instance; a failure
 *   reverts (uci.ts) and answers 7003.
 * - Capabilities.UPnPIGD is the revision the daemon announces: 1 while `igdv1` is set (the
 *   package ships it so, for clients that know only IGD 1), else 2. The other device types read 0
 *   and are refused when set true (7012).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceKeys, ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import { igdCapabilities, NOT_IGD_FUNCTIONS, refuseNotIgd, UPNP_CAPABILITIES, UPNP_DEVICE, UPNP_DEVICE_PARAMS, upnpDeviceValues } from '../upnp/device-functions.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { planWrite, type ParamWriter, type UciWriter } from './uci.js';
import { uciBool, type UciSection } from './uci-show.js';

export const UPNPD_CONFIG = 'upnpd';
/** The init script's reload: procd re-reads the config and runs, restarts or stops miniupnpd. */
export const MINIUPNPD_RELOAD = ['/etc/init.d/miniupnpd', 'reload'] as const;

export interface OpenWrtUPnPDeviceOptions {
  /** `--upnp-igd`: false hides it; undefined or true serves it where the package is installed. */
  upnpIgd?: boolean;
  /** The package's config file (default /etc/config/upnpd, or etc/config/upnpd inside commandPath, as board.json). */
  configFile?: string;
  commandPath?: string;
}

/** Registers Device.UPnP.Device. where the miniupnpd package is installed; whether it did. */
export function registerOpenWrtUPnPDevice(ctx: OpenWrtContext, uci: UciWriter, opts: OpenWrtUPnPDeviceOptions = {}): boolean {
  const file = opts.configFile ?? (opts.commandPath ? join(opts.commandPath, 'etc', 'config', UPNPD_CONFIG) : `/etc/config/${UPNPD_CONFIG}`);
  if (opts.upnpIgd === false || !existsSync(file)) {
    ctx.log.info('Device.UPnP.Device. not served', { why: opts.upnpIgd === false ? 'switched off' : `the miniupnpd package is not installed (no ${file})`, setting: '--upnp-igd (UCI upnp_igd)' });
    return false;
  }
  const source = new UpnpdSection(ctx);
  ctx.model.register(UPNP_DEVICE, new UPnPDeviceBinding(ctx, uci, source));
  ctx.model.register(UPNP_CAPABILITIES, { get: async () => igdCapabilities(uciBool((await source.section()).options.igdv1, false) ? 1 : 2) });
  return true;
}

/** The `config upnpd` section (named 'config' by the package). */
class UpnpdSection {
  constructor(private readonly ctx: OpenWrtContext) {}
  async section(): Promise<UciSection> {
    const config = await this.ctx.uci(UPNPD_CONFIG);
    return config.find((s) => s.type === 'upnpd') ?? { name: 'config', type: 'upnpd', options: {} };
  }
}

const switchWriter =
  (section: string, option: string): ParamWriter =>
  (value) => [{ section, option, value: value === true ? '1' : '0' }];

class UPnPDeviceBinding implements ObjectBinding {
  readonly params = UPNP_DEVICE_PARAMS;
  // Each is written (Enable, UPnPIGD) or refused when true (the other types, whose value stays false).
  readonly writable = UPNP_DEVICE_PARAMS;

  constructor(
    private readonly ctx: OpenWrtContext,
    private readonly uci: UciWriter,
    private readonly source: UpnpdSection,
  ) {}

  async get(): Promise<Record<string, Value>> {
    const s = await this.source.section();
    return upnpDeviceValues(uciBool(s.options.enabled, true), uciBool(s.options.enable_upnp, true));
  }

  async set(_keys: InstanceKeys, changes: Record<string, Value>): Promise<void> {
    refuseNotIgd(changes);
    const s = await this.source.section();
    const current = upnpDeviceValues(uciBool(s.options.enabled, true), uciBool(s.options.enable_upnp, true));
    const writers: Record<string, ParamWriter> = { Enable: switchWriter(s.name, 'enabled'), UPnPIGD: switchWriter(s.name, 'enable_upnp') };
    for (const f of NOT_IGD_FUNCTIONS) writers[f] = () => [];
    // Only what changes is written: a Set of the current values reloads nothing.
    const changed = Object.fromEntries(Object.entries(changes).filter(([k, v]) => current[k] !== v));
    const plan = planWrite(current, changed, writers);
    if (plan.length === 0) return;
    try {
      await this.uci.apply(UPNPD_CONFIG, plan, MINIUPNPD_RELOAD);
    } finally {
      this.ctx.forgetUci(UPNPD_CONFIG);
    }
  }
}
