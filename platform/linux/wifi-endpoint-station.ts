/**
 * Device.WiFi.EndPoint.{i}.Enable and EndPoint.{i}.WPS. on generic Linux, over the station's
 * wpa_supplicant control interface (recorded: test/fixtures/linux/wifi-wpa-supplicant-global).
 *
 * - Enable false is `disconnect`: wpa_supplicant leaves the network and stays off it until
 *   `reconnect` (Enable true). It forgets that when it restarts, so the agent keeps Enable
 *   (wifi-endpoint-held.ts) and sends `disconnect` again when it finds the station joining while
 *   disabled. Status reads Disabled while Enable is false.
 * - WPS.ConfigMethodsEnabled is the station's `config_methods` (wpa-wps-methods.ts), what it
 *   advertises to a registrar; WPS.Enable false advertises none ("none"). wpa_supplicant has no
 *   WPS switch of its own and the agent starts no WPS run (TR-181 gives EndPoint.WPS no command).
 *   The setting is saved with `save_config` under update_config=1 and kept by the agent, which
 *   sends it again when wpa_supplicant reports another one (it restarted without saving).
 */
import type { Logger } from '../../datamodel/Logger.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { EndPointHeld } from './wifi-endpoint-held.js';
import { configMethodsOf, ENDPOINT_WPS_METHODS, NO_WPS_METHODS, wpsMethodsOf } from './wpa-wps-methods.js';
import type { WpaSupplicantSource } from './WpaSupplicantSource.js';

/** A re-sent setting wpa_supplicant refused is tried again after this long. */
const RETRY_MS = 30_000;
/** wpa_state values in which a disabled station has left its network. */
const OFF_STATES = new Set(['DISCONNECTED', 'INTERFACE_DISABLED']);

export class StationSettings {
  private readonly lastTry = new Map<string, number>();
  constructor(
    private readonly source: WpaSupplicantSource,
    private readonly held: EndPointHeld,
    /** Saves the station's configuration when wpa_supplicant may (save_config under update_config=1). */
    private readonly persist: (ifname: string) => Promise<void>,
    private readonly now: () => number,
    private readonly log?: Logger,
  ) {}

  enabled(ifname: string): boolean {
    return !this.held.disabled(ifname);
  }

  /** EndPoint.Enable: `disconnect` or `reconnect`, kept by the agent. */
  async setEnable(ifname: string, enable: boolean): Promise<void> {
    await this.source.command(ifname, [enable ? 'reconnect' : 'disconnect']);
    this.held.setDisabled(ifname, !enable);
  }

  /** What config_methods should be, when a Controller wrote WPS here; undefined: wpa_supplicant's own. */
  private wantedMethods(ifname: string): string | undefined {
    const w = this.held.wps(ifname);
    return w === undefined ? undefined : w.enable ? w.methods : NO_WPS_METHODS;
  }

  /** EndPoint.{i}.WPS.'s values. */
  async wps(ifname: string): Promise<Record<string, Value>> {
    const held = this.held.wps(ifname);
    const enable = held?.enable ?? true;
    // While WPS is off, wpa_supplicant advertises "none": the methods shown are those kept for when it is on again.
    const methods = enable ? wpsMethodsOf((await this.source.configMethods(ifname)) ?? '') : wpsMethodsOf(held!.methods);
    return { Enable: enable, ConfigMethodsSupported: ENDPOINT_WPS_METHODS.join(','), ConfigMethodsEnabled: methods.join(',') };
  }

  /** A Set of EndPoint.{i}.WPS.: config_methods written (7012 before anything is sent for a method not supported). */
  async setWps(ifname: string, changes: Record<string, Value>): Promise<void> {
    const held = this.held.wps(ifname);
    const enable = changes.Enable === undefined ? (held?.enable ?? true) : changes.Enable === true;
    let methods: string;
    if (changes.ConfigMethodsEnabled !== undefined) methods = configMethodsOf(String(changes.ConfigMethodsEnabled));
    else methods = held?.methods ?? (await this.source.configMethods(ifname))?.trim() ?? '';
    // Unset: what wpa_supplicant advertises by default, so that Enable true later gives it back.
    if (methods === '' || methods === 'FAIL') methods = configMethodsOf(wpsMethodsOf('').join(','));
    await this.source.command(ifname, ['set', 'config_methods', enable ? methods : NO_WPS_METHODS]);
    this.held.setWps(ifname, { enable, methods });
    await this.persist(ifname);
  }

  /**
   * Sends again what wpa_supplicant forgot (it restarted): `disconnect` for a disabled station
   * that is not off, config_methods when it reports other ones. Costs no call for a station
   * whose settings no Controller wrote.
   */
  async reconcile(ifname: string, wpaState: string | undefined): Promise<void> {
    const last = this.lastTry.get(ifname);
    if (last !== undefined && this.now() - last < RETRY_MS) return;
    try {
      if (this.held.disabled(ifname) && wpaState !== undefined && !OFF_STATES.has(wpaState)) {
        this.lastTry.set(ifname, this.now());
        await this.source.command(ifname, ['disconnect']);
        this.log?.info('EndPoint disabled by a Controller: disconnected the station again', { interface: ifname, wpaState });
      }
      const want = this.wantedMethods(ifname);
      if (want !== undefined && (await this.source.configMethods(ifname))?.trim() !== want) {
        this.lastTry.set(ifname, this.now());
        await this.source.command(ifname, ['set', 'config_methods', want]);
        await this.persist(ifname);
        this.log?.info('sent the station its WPS config_methods again', { interface: ifname });
      }
      this.lastTry.delete(ifname);
    } catch (e) {
      this.log?.warn('wpa_supplicant refused an EndPoint setting sent again', { interface: ifname, why: e instanceof Error ? e.message : String(e) });
    }
  }
}

/** Serves Device.WiFi.EndPoint.{i}.WPS. (Enable, ConfigMethodsSupported, ConfigMethodsEnabled). */
export function registerEndPointWps(model: DataModel, settings: StationSettings, ifnameOf: (keys: InstanceKeys) => Promise<string>): void {
  model.register('Device.WiFi.EndPoint.{i}.WPS.', {
    params: ['Enable', 'ConfigMethodsSupported', 'ConfigMethodsEnabled'],
    changesOnlyThroughAgent: false,
    get: async (keys) => settings.wps(await ifnameOf(keys)),
    set: async (keys, changes) => settings.setWps(await ifnameOf(keys), changes),
  });
}
