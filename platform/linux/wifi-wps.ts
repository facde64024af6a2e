/**
 * Device.WiFi.AccessPoint.{i}.WPS. on generic Linux (TR-181 WiFiAccessPoint:1): Wi-Fi Protected
 * Setup as hostapd runs it, with its integrated registrar. Enable is get_config's `wps_state`
 * (disabled / not configured / configured: also Status); ConfigMethodsEnabled is `config_methods`
 * (PushButton: push_button, PIN: keypad, the AP taking an enrollee's PIN), which hostapd does not
 * report: read as the agent wrote it, else as hostapd's file sets it, else hostapd's default
 * (display and keypad: PIN).
 *
 * A Set is `set eap_server 1` (WPS runs over the integrated EAP server), `set wps_state 2` and
 * `set config_methods ...`, or `set wps_state 0`, then the hostapd interface restarted (`disable`,
 * `enable`): recorded (test/fixtures/linux/wifi-hostapd-enterprise-wep), hostapd sets WPS up only
 * when it starts a BSS, so after a mere `reload` `wps_pbc` answers FAIL. Refused (7012) where hostapd
 * would not run it: an Enterprise, WEP or SAE-only BSS, or a hidden SSID (hostapd then turns WPS off
 * without a word).
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { LinuxContext } from './LinuxContext.js';
import type { HeldWiFiSettings } from './wifi-held.js';
import { hostapdSecurityMode } from './wifi-hostapd-cli.js';
import type { WiFiBss, WiFiSource } from './WiFiSource.js';
import { type HostapdSetting, type HostapdWriter, invalid } from './wifi-write.js';
import type { AddedWiFi } from './wifi-added.js';
import { accessPointIfname } from './wifi-ap-ssid-move.js';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';

/** TR-181 method → hostapd's config_methods word. */
const METHODS: ReadonlyArray<readonly [string, string]> = [
  ['PushButton', 'push_button'],
  ['PIN', 'keypad'],
];
export const WPS_METHODS_SUPPORTED = METHODS.map(([m]) => m).join(',');

/** The modes hostapd runs WPS with (WPS 2.0: open or with WPA2-PSK). */
const WPS_MODES = new Set(['None', 'WPA2-Personal', 'WPA-WPA2-Personal', 'WPA3-Personal-Transition']);

/** get_config's wps_state → Status, and the number `set wps_state` takes. */
const STATES: Readonly<Record<string, { status: string; value: string }>> = {
  disabled: { status: 'Disabled', value: '0' },
  'not configured': { status: 'Unconfigured', value: '1' },
  configured: { status: 'Configured', value: '2' },
};

/** hostapd config_methods words → TR-181 ConfigMethodsEnabled (unknown words left out). */
export function wpsMethodsOf(configMethods: string): string {
  const words = configMethods.split(/\s+/);
  return METHODS.filter(([, w]) => words.includes(w))
    .map(([m]) => m)
    .join(',');
}

/**
 * The hostapd keys for a WPS Set (then the interface restarts); 7012 for what hostapd would not
 * run. `current`: Enable, ConfigMethodsEnabled and hostapd's wps_state now.
 */
export function wpsSettings(changes: Record<string, Value>, current: { enable: boolean; methods: string; wpsState?: string }, bss: { mode: string; hidden: boolean }): HostapdSetting[] {
  const enable = changes.Enable === undefined ? current.enable : changes.Enable === true;
  const methods = changes.ConfigMethodsEnabled === undefined ? current.methods : String(changes.ConfigMethodsEnabled);
  const want = methods.split(',').filter((m) => m !== '');
  const unknown = want.find((m) => !METHODS.some(([k]) => k === m));
  if (unknown !== undefined) throw invalid('ConfigMethodsEnabled', `${unknown} is not one of ${WPS_METHODS_SUPPORTED}`);
  const undo = STATES[current.wpsState ?? '']?.value;
  const state = (v: string): HostapdSetting => ({ key: 'wps_state', value: v, ...(undo === undefined ? {} : { undo }) });
  if (!enable) return changes.Enable === undefined && !current.enable ? [] : [state('0')];
  if (want.length === 0) throw invalid('ConfigMethodsEnabled', 'an enabled WPS needs a method (hostapd would fall back to its default ones)');
  if (!WPS_MODES.has(bss.mode)) throw invalid('Enable', `hostapd runs WPS only with ${[...WPS_MODES].join(', ')} (Security.ModeEnabled is ${bss.mode})`);
  if (bss.hidden) throw invalid('Enable', 'hostapd turns WPS off on a hidden SSID: set SSIDAdvertisementEnabled true first');
  const words = METHODS.filter(([m]) => want.includes(m)).map(([, w]) => w);
  return [
    { key: 'eap_server', value: '1' },
    state('2'),
    {
      key: 'config_methods',
      value: words.join(' '),
      ...(current.methods === ''
        ? {}
        : {
            undo: METHODS.filter(([m]) => current.methods.split(',').includes(m))
              .map(([, w]) => w)
              .join(' '),
          }),
    },
  ];
}

/** Serves Device.WiFi.AccessPoint.{i}.WPS. */
export function registerLinuxWiFiWps(ctx: LinuxContext, source: WiFiSource, writer: HostapdWriter, held: HeldWiFiSettings, added: AddedWiFi): void {
  const running = async (n: number | undefined): Promise<{ ifname: string; b?: WiFiBss }> => {
    const ifname = accessPointIfname(added, source, n);
    if (ifname === undefined) throw new UspError(ErrorCode.ObjectDoesNotExist, `no such AccessPoint: ${n}`);
    return { ifname, b: (await source.read()).bsses.get(ifname) };
  };
  const values = (ifname: string, b: WiFiBss | undefined): Record<string, Value> => {
    const state = STATES[b?.wpsState ?? 'disabled'] ?? STATES.disabled!;
    return {
      Enable: state.value !== '0',
      ConfigMethodsSupported: WPS_METHODS_SUPPORTED,
      ConfigMethodsEnabled: String(held.read(`bss:${ifname}`, ['WPSConfigMethodsEnabled']).WPSConfigMethodsEnabled),
      Status: state.status,
      // hostapd 2.x runs WPS 2.0 (its WPS2 code is always built since 2.1).
      Version: '2.0',
    };
  };
  ctx.model.register('Device.WiFi.AccessPoint.{i}.WPS.', {
    params: ['Enable', 'ConfigMethodsSupported', 'ConfigMethodsEnabled', 'Status', 'Version'],
    writable: ['Enable', 'ConfigMethodsEnabled'],
    get: async ([n]) => {
      const { ifname, b } = await running(n);
      return values(ifname, b);
    },
    set: async ([n], changes) => {
      const { ifname, b } = await running(n);
      if (!b) throw invalid(changes.Enable !== undefined ? 'Enable' : 'ConfigMethodsEnabled', 'the AccessPoint does not run: enable it first');
      const now = values(ifname, b);
      const row = added.byIfname(ifname);
      const mode = row?.ap?.mode ?? hostapdSecurityMode(b);
      const hidden = held.read(`bss:${ifname}`, ['SSIDAdvertisementEnabled']).SSIDAdvertisementEnabled === false;
      const settings = wpsSettings(changes, { enable: now.Enable === true, methods: String(now.ConfigMethodsEnabled), wpsState: b.wpsState }, { mode, hidden });
      try {
        await writer.restartRadio(ifname, settings);
      } finally {
        source.forget();
      }
      if (changes.ConfigMethodsEnabled !== undefined) held.write(`bss:${ifname}`, { WPSConfigMethodsEnabled: String(changes.ConfigMethodsEnabled) });
    },
  });
}
