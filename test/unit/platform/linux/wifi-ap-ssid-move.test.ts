/**
 * Moving an added AccessPoint onto another added SSID on generic Linux (wifi-ap-ssid-move.ts):
 * the plan (which rows change, which number the AccessPoint keeps) and every refusal, before
 * anything changes.
 */
import { describe, expect, it } from 'vitest';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { InstanceMap } from '../../../../datamodel/tree/InstanceMap.js';
import { ErrorCode } from '../../../../datamodel/UspError.js';
import { type AddedBss, AddedWiFi } from '../../../../platform/linux/wifi-added.js';
import { accessPointIfname, apNumberOf, planApMove, referencedSsid } from '../../../../platform/linux/wifi-ap-ssid-move.js';
import type { HostapdGlobal } from '../../../../platform/linux/hostapd-global.js';
import type { WiFiSource } from '../../../../platform/linux/WiFiSource.js';
import { refusalCode } from './refusal-code.js';

const ap = { enable: false, mode: 'WPA2-Personal' };
const three: AddedBss = { n: 3, ifname: 'wlan0_1', phy: 'phy0', ssid: 'guest', ssidEnable: true, ap };
const four: AddedBss = { n: 4, ifname: 'wlan0_2', phy: 'phy0', ssid: 'iot', ssidEnable: true };

/** AddedWiFi over `store` as at an agent start: a fresh numbering, the rows' numbers claimed first (only bssNumbers of the source is used). */
function restarted(store: DataStore): { added: AddedWiFi; source: WiFiSource } {
  const source = { bssNumbers: new InstanceMap() } as unknown as WiFiSource;
  const added = new AddedWiFi({ store, hostapdDir: '/run/hostapd', global: {} as HostapdGlobal, source, now: () => 0 });
  added.start();
  return { added, source };
}

const code = refusalCode;

describe('AccessPoint.SSIDReference move plan (Linux, added rows)', () => {
  it('moves the AccessPoint with its settings; it keeps its number; the SSID left is bare and its number not given again', () => {
    const plan = planApMove(three, 'Device.WiFi.SSID.4', four)!;
    expect(plan.to).toMatchObject({ n: 4, ifname: 'wlan0_2', ssid: 'iot', ap, apN: 3 });
    expect(apNumberOf(plan.to)).toBe(3);
    expect(plan.from).toEqual({ n: 3, ifname: 'wlan0_1', phy: 'phy0', ssid: 'guest', ssidEnable: true, apDeleted: true });
    // And back home: the number is the row's own again.
    const back = planApMove(plan.to, 'Device.WiFi.SSID.3.', plan.from)!;
    expect(back.to.apN).toBeUndefined();
    expect(apNumberOf(back.to)).toBe(3);
    expect(back.from).toEqual({ n: 4, ifname: 'wlan0_2', phy: 'phy0', ssid: 'iot', ssidEnable: true });
  });

  it('its own SSID again: nothing to do', () => {
    expect(planApMove(three, 'Device.WiFi.SSID.3', undefined)).toBeUndefined();
    expect(planApMove(three, 'Device.WiFi.SSID.3.', undefined)).toBeUndefined();
  });

  it('refuses: "" (7012), not an SSID (7012), an SSID of hostapd\'s own file (7012), one with an AccessPoint (7025), an enabled AccessPoint (7012)', () => {
    expect(code(() => planApMove(three, '', four))).toBe(ErrorCode.InvalidValue);
    expect(code(() => planApMove(three, 'Device.WiFi.Radio.1', four))).toBe(ErrorCode.InvalidValue);
    expect(code(() => planApMove(three, 'Device.WiFi.SSID.1', undefined))).toBe(ErrorCode.InvalidValue);
    expect(code(() => planApMove(three, 'Device.WiFi.SSID.4', { ...four, ap }))).toBe(ErrorCode.DuplicateUniqueKey);
    expect(code(() => planApMove({ ...three, ap: { ...ap, enable: true } }, 'Device.WiFi.SSID.4', four))).toBe(ErrorCode.InvalidValue);
    // Enabled, but no BSS runs before or after (both SSIDs disabled): files only, so it moves.
    const on = { ...three, ssidEnable: false, ap: { ...ap, enable: true } };
    expect(planApMove(on, 'Device.WiFi.SSID.4', { ...four, ssidEnable: false })?.to.ap).toEqual(on.ap);
    expect(code(() => planApMove(on, 'Device.WiFi.SSID.4', four))).toBe(ErrorCode.InvalidValue);
    expect(code(() => planApMove(four, 'Device.WiFi.SSID.3', three))).toBe(ErrorCode.ObjectDoesNotExist);
  });

  it('reads SSID references only', () => {
    expect(referencedSsid('Device.WiFi.SSID.12.')).toBe(12);
    expect(referencedSsid('Device.WiFi.SSID.x')).toBeUndefined();
    expect(referencedSsid(undefined)).toBeUndefined();
  });

  it('the mapping is kept in the store: after a restart AccessPoint 3 is still the BSS of SSID 4, and no AccessPoint 4 exists', () => {
    const store = new DataStore();
    const plan = planApMove(three, 'Device.WiFi.SSID.4', four)!;
    restarted(store).added.save([plan.from, plan.to]);
    const { added, source } = restarted(store);
    expect(added.all()).toEqual([plan.from, plan.to]);
    source.bssNumbers.list(['wlan0', 'wlan1']); // hostapd's own BSSes, numbered after the kept ones
    expect(accessPointIfname(added, source, 3)).toBe('wlan0_2');
    expect(accessPointIfname(added, source, 4)).toBeUndefined();
    expect(accessPointIfname(added, source, 1)).toBe('wlan0');
  });
});
