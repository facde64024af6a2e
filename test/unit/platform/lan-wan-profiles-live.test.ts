/**
 * Which LAN/WAN profiles the live platforms meet, by GetSupportedDM as the agent answers it on
 * each (the fake ubus/uci of the OpenWrt fixtures; the host's Linux): every required item of a
 * met profile is served with its access, and a profile not claimed still misses something, so
 * the claims in the README and docs/platform-mapping.md are pinned both ways.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ALL_LAN_WAN_PROFILES, missingItems, type SupportedDescription } from '../../integration/lan-wan-profile-items.js';
import { type Combination, composedPlatform } from './platform-combinations.js';

const MET: Record<'openwrt' | 'linux', readonly string[]> = {
  // Not DHCPv4Relay:1: items its binding cannot change are read-only (docs/platform-mapping.md).
  // SimpleFirewall:1 from fw4's wan zone; NAT:1's AllInterfaces through fw4 includes.
  openwrt: ['Bridge:1', 'NAT:1', 'DNSRelay:1', 'Hosts:3', 'DHCPv4Server:1', 'DHCPv4ServerClientInfo:1', 'SimpleFirewall:1', 'Time:2'],
  // Hosts:3 from the kernel's neighbour table.
  linux: ['Hosts:3'],
};

describe.each(['openwrt', 'linux'] as const)('LAN/WAN profiles on %s', (platform) => {
  let c: Combination | undefined;
  afterEach(() => {
    c?.close();
    c = undefined;
  });

  it(`meets exactly ${MET[platform].join(', ') || 'none'} of them`, async () => {
    c = await composedPlatform(platform, { modemManager: false });
    const [r] = await c.gsdm(['Device.'], { returnParams: true, returnCommands: true });
    const model = new Map<string, SupportedDescription>();
    for (const o of r!.supportedObjs ?? []) {
      model.set(o.supportedObjPath, {
        access: o.access,
        params: new Map((o.supportedParams ?? []).map((p) => [p.paramName, p.access])),
        commands: new Set((o.supportedCommands ?? []).map((x) => x.commandName)),
      });
    }
    const met = ALL_LAN_WAN_PROFILES.filter((p) => missingItems(p, model).length === 0).map((p) => p.profile);
    expect(met).toEqual(MET[platform]);
  });
});
