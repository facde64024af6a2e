/**
 * The UCI planning behind Device.WiFi.EndPoint.{i}.Profile.{i}. on OpenWrt (TR-181
 * WiFiEndPoint:1), kept apart from the bindings (wifi-endpoint-profiles.ts) so each rule is a
 * pure function a unit test can pin.
 *
 * A station wifi-iface (`mode 'sta'`) runs one network: the one its own `ssid`, `encryption` and
 * `key` hold. That network is the referenced Profile (ProfileReference). Every other Profile is a
 * section of the agent's own type `usp_wifi_profile` in the wireless config (netifd and LuCI read
 * only the wifi-device/wifi-iface types, so they leave it alone), named `usp_wprof<k>` and tied to
 * its station by `endpoint`. Both hold a Profile in the same options (PROFILE_OPTIONS), so making
 * another Profile the referenced one swaps the two sets of options: after `network reload`
 * netifd restarts wpa_supplicant on the new network.
 *
 * Profile.Enable is `usp_enable` ('0': disabled; absent: enabled). A station whose referenced
 * Profile is disabled must not join it, so the wifi-iface is then `disabled '1'` and the
 * EndPoint's own Enable is kept in `usp_ep_enable` until the Profile is enabled again.
 * Location and Priority are `usp_location` and `usp_priority`: labels the agent keeps, as
 * wpa_supplicant is given one network at a time and so never chooses among them itself.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { UciChange } from './uci.js';
import { stringOption, uciBool } from './uci-show.js';

/** The UCI section type of a Profile that is not the referenced one. */
export const PROFILE_TYPE = 'usp_wifi_profile';

/** The options one Profile is made of, on the station's wifi-iface and on a profile section alike. */
export const PROFILE_OPTIONS = ['ssid', 'encryption', 'key', 'key1', 'usp_enable', 'usp_location', 'usp_priority'] as const;

/** Profiles per EndPoint (7005 past it): each is a section of the wireless config. */
export const MAX_PROFILES = 8;

type Options = Readonly<Record<string, unknown>>;

/** A string option of a section (UCI show values are strings, or arrays for lists). */
export const opt = (config: Options, name: string): string | undefined => stringOption(config[name] as string | string[] | undefined);

/** Whether the station's wifi-iface holds a network (its referenced Profile). */
export const holdsNetwork = (sta: Options): boolean => (opt(sta, 'ssid') ?? '') !== '';

/** Profile.Enable of the Profile these options hold. */
export const profileEnabled = (config: Options): boolean => uciBool(config.usp_enable as string | undefined, true);

/** The EndPoint's Enable: the wifi-iface's `disabled`, or `usp_ep_enable` while its Profile holds it off. */
export function endpointEnabled(sta: Options, disabled: boolean): boolean {
  return holdsNetwork(sta) && !profileEnabled(sta) ? uciBool(sta.usp_ep_enable as string | undefined, true) : !disabled;
}

/** Sets `option` to `value`, or deletes it when `value` is undefined (only if it is there: uci refuses deleting nothing). */
function put(section: string, config: Options, option: string, value: string | undefined): UciChange[] {
  if (value === undefined) return config[option] === undefined ? [] : [{ section, option, value: '', remove: true }];
  return opt(config, option) === value ? [] : [{ section, option, value, secret: option === 'key' || option === 'key1' }];
}

/**
 * The wifi-iface's `disabled` (and `usp_ep_enable`) for an EndPoint Enable `ep` and the Enable of
 * the Profile it runs: it runs only when both are on.
 */
export function runPlan(section: string, sta: Options, ep: boolean, profileOn: boolean): UciChange[] {
  return [...put(section, sta, 'usp_ep_enable', profileOn ? undefined : ep ? '1' : '0'), { section, option: 'disabled', value: ep && profileOn ? '0' : '1' }];
}

/** EndPoint.Enable set to `ep` on a station. */
export function endpointEnablePlan(section: string, sta: Options, ep: boolean): UciChange[] {
  return runPlan(section, sta, ep, !holdsNetwork(sta) || profileEnabled(sta));
}

/**
 * ProfileReference moved to the Profile in section `target`: its options go to the station's
 * wifi-iface and the station's (when it holds one) to `target`; without one to give back, the
 * target section is deleted. Then the wifi-iface runs as the EndPoint's Enable and the new
 * Profile's Enable say.
 */
export function swapPlan(sta: { section: string; config: Options; disabled: boolean }, target: { section: string; config: Options }): { changes: UciChange[]; removeTarget: boolean } {
  const changes: UciChange[] = [];
  const keep = holdsNetwork(sta.config);
  for (const o of PROFILE_OPTIONS) {
    changes.push(...put(sta.section, sta.config, o, opt(target.config, o)));
    if (keep) changes.push(...put(target.section, target.config, o, opt(sta.config, o)));
  }
  const after = { ...sta.config, usp_enable: target.config.usp_enable };
  changes.push(...runPlan(sta.section, after, endpointEnabled(sta.config, sta.disabled), profileEnabled(target.config)));
  return { changes, removeTarget: !keep };
}

/**
 * Profile Delete of the referenced Profile: the wifi-iface keeps no network (`ssid`, keys and the
 * Profile's own options deleted, `encryption 'none'`) and runs as the EndPoint's Enable says.
 */
export function dropNetworkPlan(section: string, sta: Options, disabled: boolean): UciChange[] {
  const ep = endpointEnabled(sta, disabled);
  const drop = PROFILE_OPTIONS.filter((o) => o !== 'encryption').flatMap((o) => put(section, sta, o, undefined));
  return [...drop, { section, option: 'encryption', value: 'none' }, ...put(section, sta, 'usp_ep_enable', undefined), { section, option: 'disabled', value: ep ? '0' : '1' }];
}

/**
 * The planWrite writers of a Profile's own parameters held in `section` (`referenced`: the
 * station's wifi-iface, whose Enable also decides whether it runs; `ep` the EndPoint's Enable).
 */
export function profileWriters(section: string, config: Options, referenced: boolean, ep: boolean): Record<string, (v: Value) => UciChange[] | string> {
  return {
    SSID: (v) => (String(v) === '' ? (referenced ? 'the station runs this network: it needs an SSID' : put(section, config, 'ssid', undefined)) : put(section, config, 'ssid', String(v))),
    Location: (v) => put(section, config, 'usp_location', String(v) === '' ? undefined : String(v)),
    Priority: (v) => put(section, config, 'usp_priority', Number(v) === 0 ? undefined : String(v)),
    Enable: (v) => {
      const changes = put(section, config, 'usp_enable', v === true ? undefined : '0');
      if (!referenced) return changes;
      const after = { ...config, usp_enable: v === true ? undefined : '0' };
      return [...put(section, after, 'usp_ep_enable', v === true ? undefined : ep ? '1' : '0'), ...changes, { section, option: 'disabled', value: ep && v === true ? '0' : '1' }];
    },
  };
}

/** Profile's own values (Status apart) from the options that hold it. */
export function profileLabels(config: Options): { Enable: boolean; SSID: string; Location: string; Priority: number } {
  const priority = Number(opt(config, 'usp_priority') ?? 0);
  return {
    Enable: profileEnabled(config),
    SSID: opt(config, 'ssid') ?? '',
    Location: opt(config, 'usp_location') ?? '',
    Priority: Number.isInteger(priority) && priority >= 0 && priority <= 255 ? priority : 0,
  };
}
