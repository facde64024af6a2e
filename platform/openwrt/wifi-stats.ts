/**
 * Device.WiFi.SSID.{i}.Stats. and Device.WiFi.Radio.{i}.Stats. on OpenWrt (TR-181 WiFiSSID:1,
 * WiFiRadio:1). A BSS is a kernel interface ("phy1-ap0"), so its counters are that netdev's, from
 * the same `ubus call network.device status` the Ethernet objects read. A radio has no counter
 * of its own in ubus: its Stats are the sum of its BSSes' interfaces (what the radio carried),
 * plus the noise floor `iwinfo info` reports.
 *
 * A BSS that is down has no interface, hence no counters: it reads 0, as TR-181 resets Stats
 * when an interface goes down.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { stats } from './ethernet.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { DeviceStatusMap } from './ubus-types.js';
import type { IfaceEntry, WiFiState } from './WiFiState.js';

const COUNTERS = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsSent', 'ErrorsReceived', 'DiscardPacketsSent', 'DiscardPacketsReceived'] as const;

/** Serves SSID.{i}.Stats. and Radio.{i}.Stats.; `devices` is the cached network.device status answer. */
export function registerWiFiStats(ctx: OpenWrtContext, state: WiFiState, devices: () => Promise<DeviceStatusMap>): void {
  const ifaceStats = async (f: IfaceEntry): Promise<Record<string, Value>> => {
    const d = f.radio.up && f.ifname ? (await devices())[f.ifname] : undefined;
    return stats(d?.statistics);
  };

  ctx.model.register('Device.WiFi.SSID.{i}.Stats.', {
    params: [...COUNTERS, 'MulticastPacketsReceived'],
    get: async ([n]) => ifaceStats(await state.ssid(n)),
  });

  ctx.model.register('Device.WiFi.Radio.{i}.Stats.', {
    params: [...COUNTERS, 'Noise'],
    get: async ([n]) => {
      const r = await state.radio(n);
      const sum = new Map<string, bigint>(COUNTERS.map((c) => [c, 0n]));
      for (const f of r.ifaces) {
        const v = await ifaceStats(f);
        for (const c of COUNTERS) sum.set(c, sum.get(c)! + BigInt(v[c] as string | number));
      }
      const out: Record<string, Value> = {};
      // The schema's types: 64-bit byte and packet counts as decimal strings, 32-bit error counts wrapping.
      for (const c of COUNTERS) out[c] = c.startsWith('Bytes') || c.startsWith('Packets') ? String(sum.get(c)) : Number(sum.get(c)! % 0x1_0000_0000n);
      const ifname = r.ifaces.find((f) => f.ifname)?.ifname;
      const info = r.up && ifname ? await state.info(ifname) : undefined;
      if (info?.noise !== undefined) out.Noise = Math.round(info.noise);
      return out;
    },
  });
}
