/**
 * Device.WiFi.AccessPoint.{i}.WPS. on OpenWrt (TR-181 WiFiAccessPoint:1): Wi-Fi Protected Setup
 * as OpenWrt's wifi-iface configures it. UCI has one switch per WPS configuration method and no
 * WPS switch of its own (hostapd runs WPS when one method is on): `wps_pushbutton` (hostapd
 * config_methods "push_button", TR-181 PushButton) and `wps_label` ("label": the AP PIN printed
 * on the device, TR-181 Label). So Enable reads true when a method is on; Enable false turns both
 * off, Enable true with none on turns PushButton on (what LuCI offers). Writes go to UCI and
 * `network reload`, undone on failure, like the other Wi-Fi writes.
 *
 * hostapd runs WPS only where it can (open, OWE, WPA/WPA2/WPA3-Personal BSSes) and only when its
 * package was built with WPS (the full wpad/hostapd variants); nothing in ubus says which variant
 * is installed, so these values are the configuration, not a promise that WPS runs.
 */
import type { Value } from '../../datamodel/value/Value.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { planWrite, type UciChange } from './uci.js';
import { type IfaceEntry, truthy, type WiFiState } from './WiFiState.js';

/** TR-181 method → the wifi-iface option that turns it on, in TR-181's enumeration order. */
const METHODS: ReadonlyArray<readonly [string, string]> = [
  ['Label', 'wps_label'],
  ['PushButton', 'wps_pushbutton'],
];

/** Serves Device.WiFi.AccessPoint.{i}.WPS. */
export function registerWiFiWps(ctx: OpenWrtContext, state: WiFiState): void {
  const enabled = (f: IfaceEntry): string[] => METHODS.filter(([, o]) => truthy(f.config[o])).map(([m]) => m);
  const values = (f: IfaceEntry): Record<string, Value> => ({
    Enable: enabled(f).length > 0,
    ConfigMethodsSupported: METHODS.map(([m]) => m).join(','),
    ConfigMethodsEnabled: enabled(f).join(','),
  });
  /** The options for a set of methods: each on or off (an unset option is off already). */
  const methods = (f: IfaceEntry, on: ReadonlySet<string>): UciChange[] =>
    METHODS.filter(([m, o]) => on.has(m) !== truthy(f.config[o]) && (on.has(m) || f.config[o] !== undefined)).map(([m, o]) => ({
      section: f.section,
      option: o,
      value: on.has(m) ? '1' : '0',
    }));

  ctx.model.register('Device.WiFi.AccessPoint.{i}.WPS.', {
    params: ['Enable', 'ConfigMethodsSupported', 'ConfigMethodsEnabled'],
    get: async ([n]) => values(await state.ap(n)),
    set: async ([n], changes) => {
      const f = await state.ap(n);
      const current = values(f);
      const plan = planWrite(current, changes, {
        Enable: (v, all) => {
          if (all.ConfigMethodsEnabled !== undefined) return []; // the methods decide, below
          if (v !== true) return methods(f, new Set());
          return current.Enable === true ? [] : methods(f, new Set(['PushButton']));
        },
        ConfigMethodsEnabled: (v, all) => {
          const want = String(v).split(',').filter(Boolean);
          const unknown = want.find((m) => !METHODS.some(([k]) => k === m));
          if (unknown !== undefined) return `${unknown} is not one of ${current.ConfigMethodsSupported}`;
          const enable = all.Enable ?? current.Enable;
          if (enable !== true && want.length > 0) return 'WPS is disabled here: set Enable true with it (OpenWrt runs WPS whenever a method is on)';
          if (enable === true && want.length === 0) return 'OpenWrt has no WPS switch of its own: an enabled WPS needs a method';
          return methods(f, new Set(want));
        },
      });
      if (plan.length === 0) return;
      await state.write(async (stage) => {
        for (const c of plan) await stage.set(c);
      });
    },
  });
}
