/**
 * What OpenWrt meets of TR-181 WiFiRadio:1, WiFiSSID:1 and WiFiAccessPoint:1, pinned item by
 * item: each gap is one docs/platform-mapping.md explains (UCI has no Alias; the agent keeps it;
 * what a binding cannot change is served read-only, ObjectBinding.writable).
 * A new source closing one makes this test fail until the list shrinks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { type ObjReq, PROFILES, R } from '../../../peers/wifi-profile-items.js';
import { openWrt, type PlatformFixture } from './fake-openwrt.js';

/** The profile items `model` misses, judged as GetSupportedDM reports access. */
function unmet(model: DataModel, reqs: readonly ObjReq[]): string[] {
  const out: string[] = [];
  for (const r of reqs) {
    const n = model.node(r.object);
    if (!n?.supported) {
      out.push(`${r.object}: not served`);
      continue;
    }
    if (r.access === 'createDelete' && !(model.bindingOf(n)?.add && model.bindingOf(n)?.delete)) out.push(`${r.object}: not createDelete`);
    for (const [name, req] of Object.entries(r.params)) {
      const p = n.params.get(name);
      if (!p) out.push(`${r.object}${name}: not served`);
      else if (req !== R && (p.access === 'readOnly' || n.derivedCounts.has(name) || n.fixedParams.has(name))) out.push(`${r.object}${name}: not writable`);
    }
  }
  return out;
}

describe('openwrt platform: the Wi-Fi profiles', () => {
  let fx: PlatformFixture;
  afterEach(() => fx.close());

  it('misses exactly the documented items of WiFiRadio:1, WiFiSSID:1 and WiFiAccessPoint:1', () => {
    fx = openWrt();
    const misses = Object.fromEntries(Object.entries(PROFILES).map(([name, reqs]) => [name, unmet(fx.model, reqs)]));
    expect(misses).toEqual({
      'WiFiRadio:1': [
        // UCI has no Alias (the agent keeps it, as for every table whose platform has none).
        'Device.WiFi.Radio.{i}.Alias: not served',
        // No UCI writer: MCS follows its rate control (OpenWrt fixes no MCS for an AP).
        'Device.WiFi.Radio.{i}.MCS: not writable',
      ],
      'WiFiSSID:1': [
        // UCI has no Alias.
        'Device.WiFi.SSID.{i}.Alias: not served',
      ],
      // SSIDReference moves the AccessPoint's options to another wifi-iface (wifi-ap-ssid-reference.ts).
      'WiFiAccessPoint:1': [],
    });
  });
});
