/**
 * Device.Cellular.RoamingEnabled and Interface.{i}.NetworkRequested on OpenWrt with ModemManager
 * (TR-181 CellularInterfaceExtended:2): settings of the modemmanager package's netifd proto in
 * the same UCI interfaces that hold the APNs (cellular-apn.ts), applied by the proto on each
 * connect:
 *
 * | TR-181                     | UCI network.<iface> (proto modemmanager)                               |
 * |----------------------------|------------------------------------------------------------------------|
 * | Cellular.RoamingEnabled    | allow_roaming: the proto connects with allow-roaming=no when it is "0", yes otherwise; true when no interface says "0" |
 * | Interface.NetworkRequested | plmn of the interfaces whose `device` is the modem: the operator code the proto registers with (`mmcli --3gpp-register-in-operator`), "" automatic |
 * | Interface.PreferredAccessTechnology (write) | allowedmode = the modes the modem may use now ("3g\|4g\|5g"), preferredmode = the generation asked for; "Auto" deletes both (the proto then allows any mode, no preference). Read from ModemManager (`current-modes`), which the proto sets on connect |
 *
 * Writes: `uci set`/`uci delete` on every such interface, `uci commit network`, NETWORK_RELOAD
 * (the proto reconnects with the new setting). A value equal to the current one writes nothing.
 * With no interface to hold the setting the Set is refused (7002): it would not stick.
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import { NETWORK_RELOAD, type UciChange, type UciWriter } from './uci.js';
import { stringOption, type UciSection } from './uci-show.js';

/** The ModemManager platform's host settings (CellularHostSettings), from UCI. */
export interface CellularUciSettings {
  roaming: { get(): Promise<boolean>; set(enabled: boolean): Promise<void> };
  networkRequested: { get(device: string): Promise<string>; set(device: string, operatorCode: string): Promise<void> };
  preferredModes: { set(device: string, allowed: readonly string[], preferred: string | undefined): Promise<void> };
}

export function cellularUciSettings(ctx: OpenWrtContext, uci: UciWriter): CellularUciSettings {
  const interfaces = async (): Promise<UciSection[]> => (await ctx.uci('network')).filter((s) => s.type === 'interface' && stringOption(s.options.proto) === 'modemmanager');
  const onModem = async (device: string): Promise<UciSection[]> => (device === '' ? [] : (await interfaces()).filter((s) => samePath(stringOption(s.options.device) ?? '', device)));
  const write = async (changes: UciChange[]): Promise<void> => {
    if (changes.length === 0) return;
    await uci.apply('network', changes, NETWORK_RELOAD).finally(() => ctx.forgetUci('network'));
  };
  const allowed = (s: UciSection): boolean => stringOption(s.options.allow_roaming) !== '0';

  return {
    roaming: {
      get: async () => (await interfaces()).every(allowed),
      set: async (enabled) => {
        const all = await interfaces();
        if (all.length === 0) throw new UspError(ErrorCode.RequestDenied, 'no network interface with proto modemmanager holds allow_roaming');
        // Only interfaces that differ: a write reloads the network, and the proto reconnects.
        await write(all.filter((s) => allowed(s) !== enabled).map((s) => ({ section: s.name, option: 'allow_roaming', value: enabled ? '1' : '0' })));
      },
    },
    networkRequested: {
      get: async (device) => (await onModem(device)).map((s) => stringOption(s.options.plmn) ?? '').find((p) => p !== '') ?? '',
      set: async (device, code) => {
        const on = await onModem(device);
        if (on.length === 0) throw new UspError(ErrorCode.RequestDenied, 'no network interface with proto modemmanager drives this modem: its plmn would hold the network');
        await write(
          on
            .filter((s) => (stringOption(s.options.plmn) ?? '') !== code)
            .map((s) => (code === '' ? { section: s.name, option: 'plmn', value: '', remove: true } : { section: s.name, option: 'plmn', value: code })),
        );
      },
    },
    preferredModes: {
      set: async (device, allowed, preferred) => {
        const on = await onModem(device);
        if (on.length === 0) throw new UspError(ErrorCode.RequestDenied, 'no network interface with proto modemmanager drives this modem: its allowedmode and preferredmode would hold the preference');
        const want: Record<string, string> = preferred === undefined ? { allowedmode: '', preferredmode: '' } : { allowedmode: allowed.join('|'), preferredmode: preferred };
        await write(
          on.flatMap((s) =>
            Object.entries(want)
              .filter(([option, value]) => (stringOption(s.options[option]) ?? '') !== value)
              .map(([option, value]) => (value === '' ? { section: s.name, option, value, remove: true } : { section: s.name, option, value })),
          ),
        );
      },
    },
  };
}

/** sysfs paths, with or without a trailing "/". */
function samePath(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
