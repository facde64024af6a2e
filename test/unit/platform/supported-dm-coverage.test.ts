/**
 * GetSupportedDM coverage of each live platform combination: every object a platform claims is
 * served, and Device.WiFi., Device.Cellular. and Device.Bridging. are described with exactly the
 * objects claimed there, no more (a Controller must not be promised what nobody serves).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { supportedParentPath } from '../../../datamodel/schema/Schema.js';
import { ErrorCode } from '../../../datamodel/UspError.js';
import { lldpcliInstalled } from '../../../platform/lldp/lldpcli-source.js';
import { findOnPath } from '../../../platform/exec/CommandRunner.js';
import { type Combination, composedPlatform, VENDOR_PREFIX } from './platform-combinations.js';

/** The objects with parameters each platform serves (containers without any are implied). */
const LINUX_CLAIMS = [
  'Device.DeviceInfo.',
  'Device.DeviceInfo.MemoryStatus.',
  'Device.DeviceInfo.ProcessStatus.',
  'Device.DeviceInfo.ProcessStatus.Process.{i}.',
  'Device.DeviceInfo.TemperatureStatus.',
  'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.',
  // Hosts from `ip -j neigh` and dnsmasq's leases.
  'Device.Hosts.',
  'Device.Hosts.Host.{i}.',
  'Device.Hosts.Host.{i}.IPv4Address.{i}.',
  'Device.Hosts.Host.{i}.IPv6Address.{i}.',
  'Device.Ethernet.',
  'Device.Ethernet.Interface.{i}.',
  'Device.Ethernet.Interface.{i}.Stats.',
  'Device.Ethernet.Link.{i}.',
  'Device.Ethernet.Link.{i}.Stats.',
  'Device.Ethernet.RMONStats.{i}.',
  'Device.IP.',
  'Device.IP.Interface.{i}.',
  'Device.IP.Interface.{i}.IPv4Address.{i}.',
  'Device.IP.Interface.{i}.IPv6Address.{i}.',
  'Device.IP.Interface.{i}.IPv6Prefix.{i}.',
  'Device.IP.Interface.{i}.Stats.',
  'Device.Routing.',
  'Device.Routing.Router.{i}.',
  'Device.Routing.Router.{i}.IPv4Forwarding.{i}.',
  'Device.Routing.Router.{i}.IPv6Forwarding.{i}.',
  ...['', 'InterfaceSetting.{i}.'].map((o) => `Device.Routing.RouteInformation.${o}`),
  'Device.DNS.Client.',
  'Device.DNS.Client.Server.{i}.',
  'Device.Bridging.',
  'Device.Bridging.Bridge.{i}.',
  'Device.Bridging.Bridge.{i}.STP.',
  'Device.Bridging.Bridge.{i}.Port.{i}.',
  'Device.Bridging.Bridge.{i}.Port.{i}.Stats.',
  'Device.Bridging.Bridge.{i}.VLAN.{i}.',
  'Device.Bridging.Bridge.{i}.VLANPort.{i}.',
];

/** Device.WiFi.EndPoint. on Linux: served where wpa_cli is installed (platform/linux/wifi-endpoint.ts), whether wpa_supplicant runs or not. */
const LINUX_ENDPOINT_CLAIMS = findOnPath('wpa_cli')
  ? ['Device.WiFi.', ...['', 'Stats.', 'Security.', 'WPS.', 'Profile.{i}.', 'Profile.{i}.Security.'].map((o) => `Device.WiFi.EndPoint.{i}.${o}`)]
  : [];

/** Device.LLDP. on Linux and OpenWrt: served where lldpcli is installed (.ci/run installs lldpd), whether lldpd runs or not. */
const LLDP_CLAIMS = lldpcliInstalled()
  ? [
      'Device.LLDP.Discovery.',
      'Device.LLDP.Discovery.Device.{i}.',
      'Device.LLDP.Discovery.Device.{i}.DeviceInformation.',
      'Device.LLDP.Discovery.Device.{i}.DeviceInformation.VendorSpecific.{i}.',
      'Device.LLDP.Discovery.Device.{i}.Port.{i}.',
      'Device.LLDP.Discovery.Device.{i}.Port.{i}.LinkInformation.',
    ]
  : [];

/** Device.UPnP.Discovery.: the agent's own SSDP browser on Linux and OpenWrt (platform/upnp). */
const UPNP_DISCOVERY_CLAIMS = ['Device.UPnP.Discovery.', 'Device.UPnP.Discovery.RootDevice.{i}.', 'Device.UPnP.Discovery.Device.{i}.', 'Device.UPnP.Discovery.Service.{i}.'];

const MODEMMANAGER_CLAIMS = ['Device.Cellular.', 'Device.Cellular.Interface.{i}.', 'Device.Cellular.Interface.{i}.Stats.', 'Device.Cellular.Interface.{i}.USIM.', 'Device.Cellular.AccessPoint.{i}.'];

/** What OpenWrt serves, Bridging aside (OPENWRT_BRIDGING_CLAIMS). */
const OPENWRT_CLAIMS = [
  'Device.DeviceInfo.',
  'Device.DeviceInfo.MemoryStatus.',
  'Device.DeviceInfo.ProcessStatus.',
  'Device.DeviceInfo.ProcessStatus.Process.{i}.',
  'Device.DeviceInfo.TemperatureStatus.',
  'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.',
  'Device.Time.',
  'Device.Ethernet.',
  'Device.Ethernet.Interface.{i}.',
  'Device.Ethernet.Interface.{i}.Stats.',
  'Device.Ethernet.Link.{i}.',
  'Device.Ethernet.Link.{i}.Stats.',
  'Device.Ethernet.RMONStats.{i}.',
  'Device.Ethernet.VLANTermination.{i}.',
  'Device.Ethernet.VLANTermination.{i}.Stats.',
  'Device.WiFi.',
  'Device.WiFi.Radio.{i}.',
  'Device.WiFi.Radio.{i}.Stats.',
  'Device.WiFi.SSID.{i}.',
  'Device.WiFi.SSID.{i}.Stats.',
  'Device.WiFi.AccessPoint.{i}.',
  'Device.WiFi.AccessPoint.{i}.Security.',
  'Device.WiFi.AccessPoint.{i}.WPS.',
  'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.',
  'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats.',
  ...['', 'Stats.', 'Security.', 'Profile.{i}.', 'Profile.{i}.Security.'].map((o) => `Device.WiFi.EndPoint.{i}.${o}`),
  'Device.IP.',
  'Device.IP.Interface.{i}.',
  'Device.IP.Interface.{i}.Stats.',
  'Device.IP.Interface.{i}.IPv4Address.{i}.',
  'Device.IP.Interface.{i}.IPv6Address.{i}.',
  'Device.IP.Interface.{i}.IPv6Prefix.{i}.',
  'Device.Routing.',
  'Device.Routing.Router.{i}.',
  'Device.Routing.Router.{i}.IPv4Forwarding.{i}.',
  'Device.DNS.Client.',
  'Device.DNS.Client.Server.{i}.',
  'Device.NAT.',
  'Device.NAT.InterfaceSetting.{i}.',
  'Device.NAT.PortMapping.{i}.',
  // odhcpd's ra options of each `config dhcp` section (platform/openwrt/router-advertisement.ts).
  'Device.RouterAdvertisement.InterfaceSetting.{i}.',
  // odhcpd's pools and leases, odhcp6c's clients (platform/openwrt/dhcpv6*.ts).
  'Device.DHCPv6.Server.',
  'Device.DHCPv6.Server.Pool.{i}.',
  'Device.DHCPv6.Server.Pool.{i}.Client.{i}.',
  'Device.DHCPv6.Server.Pool.{i}.Client.{i}.IPv6Address.{i}.',
  'Device.DHCPv6.Server.Pool.{i}.Client.{i}.IPv6Prefix.{i}.',
  'Device.DHCPv6.Server.Pool.{i}.Client.{i}.Option.{i}.',
  'Device.DHCPv6.Client.{i}.',
  'Device.DHCPv6.Client.{i}.Server.{i}.',
  'Device.DHCPv6.Client.{i}.ReceivedOption.{i}.',
  'Device.DHCPv6.Client.{i}.SentOption.{i}.',
  'Device.Firewall.',
  // Option 125 the package's udhcpc hook keeps (platform/openwrt/gateway-info.ts).
  'Device.GatewayInfo.',
  'Device.DNS.Relay.',
  'Device.DNS.Relay.Forwarding.{i}.',
  'Device.DHCPv4.Server.',
  'Device.DHCPv4.Server.Pool.{i}.',
  'Device.DHCPv4.Server.Pool.{i}.StaticAddress.{i}.',
  'Device.DHCPv4.Server.Pool.{i}.Option.{i}.',
  'Device.DHCPv4.Server.Pool.{i}.Client.{i}.',
  'Device.DHCPv4.Server.Pool.{i}.Client.{i}.IPv4Address.{i}.',
  'Device.DHCPv4.Server.Pool.{i}.Client.{i}.Option.{i}.',
  'Device.DHCPv4.Relay.',
  'Device.DHCPv4.Relay.Forwarding.{i}.',
  'Device.DHCPv4.Client.{i}.',
  'Device.DHCPv4.Client.{i}.SentOption.{i}.',
  'Device.DHCPv4.Client.{i}.ReqOption.{i}.',
  'Device.Hosts.',
  'Device.Hosts.Host.{i}.',
  'Device.Hosts.Host.{i}.IPv4Address.{i}.',
  'Device.Hosts.Host.{i}.IPv6Address.{i}.',
];

/** Device.Bridging. of OpenWrt (UCI `config device` bridges and `bridge-vlan` sections). */
const OPENWRT_BRIDGING_CLAIMS: readonly string[] = [
  'Device.Bridging.',
  'Device.Bridging.Bridge.{i}.',
  'Device.Bridging.Bridge.{i}.Port.{i}.',
  'Device.Bridging.Bridge.{i}.Port.{i}.Stats.',
  'Device.Bridging.Bridge.{i}.VLAN.{i}.',
  'Device.Bridging.Bridge.{i}.VLANPort.{i}.',
];

/** The simulated gateway's Wi-Fi, cellular and bridging objects (its whole tree is pinned in simulated/whole-tree.test.ts). */
const SIMULATED_CLAIMS = [
  'Device.WiFi.',
  'Device.WiFi.Radio.{i}.',
  'Device.WiFi.Radio.{i}.Stats.',
  'Device.WiFi.SSID.{i}.',
  'Device.WiFi.SSID.{i}.Stats.',
  'Device.WiFi.AccessPoint.{i}.',
  'Device.WiFi.AccessPoint.{i}.Security.',
  'Device.WiFi.AccessPoint.{i}.WPS.',
  'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.',
  'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.Stats.',
  'Device.WiFi.AccessPoint.{i}.AC.{i}.',
  'Device.WiFi.AccessPoint.{i}.AC.{i}.Stats.',
  ...['', 'Stats.', 'Security.', 'WPS.', 'Profile.{i}.', 'Profile.{i}.Security.'].map((o) => `Device.WiFi.EndPoint.{i}.${o}`),
  'Device.Cellular.',
  'Device.Cellular.Interface.{i}.',
  'Device.Cellular.Interface.{i}.Stats.',
  'Device.Cellular.Interface.{i}.USIM.',
  'Device.Cellular.AccessPoint.{i}.',
  'Device.Bridging.',
  'Device.Bridging.Bridge.{i}.',
  'Device.Bridging.Bridge.{i}.STP.',
  'Device.Bridging.Bridge.{i}.Port.{i}.',
  'Device.Bridging.Bridge.{i}.Port.{i}.Stats.',
  'Device.Bridging.Bridge.{i}.VLAN.{i}.',
  'Device.Bridging.Bridge.{i}.VLANPort.{i}.',
  'Device.Bridging.Filter.{i}.',
];

/** The subtrees whose GetSupportedDM answer must be exactly the claimed objects in them. */
const EXACT_SUBTREES = ['Device.WiFi.', 'Device.Cellular.', 'Device.Bridging.'];

interface PlatformCase {
  name: string;
  build(): Promise<Combination>;
  claims: readonly string[];
  exactSubtrees: readonly string[];
  /** The claims list the platform's whole tree (the simulated gateway lists only the three subtrees). */
  wholeTree: boolean;
}

const CASES: PlatformCase[] = [
  {
    name: 'Linux',
    build: () => composedPlatform('linux', { modemManager: false }),
    claims: [...LINUX_CLAIMS, ...LINUX_ENDPOINT_CLAIMS, ...LLDP_CLAIMS, ...UPNP_DISCOVERY_CLAIMS],
    exactSubtrees: EXACT_SUBTREES,
    wholeTree: true,
  },
  {
    name: 'Linux + ModemManager',
    build: () => composedPlatform('linux', { modemManager: true }),
    claims: [...LINUX_CLAIMS, ...LINUX_ENDPOINT_CLAIMS, ...LLDP_CLAIMS, ...UPNP_DISCOVERY_CLAIMS, ...MODEMMANAGER_CLAIMS],
    exactSubtrees: EXACT_SUBTREES,
    wholeTree: true,
  },
  {
    name: 'OpenWrt + ModemManager',
    build: () => composedPlatform('openwrt', { modemManager: true }),
    claims: [...OPENWRT_CLAIMS, ...OPENWRT_BRIDGING_CLAIMS, ...LLDP_CLAIMS, ...UPNP_DISCOVERY_CLAIMS, ...MODEMMANAGER_CLAIMS],
    exactSubtrees: EXACT_SUBTREES,
    wholeTree: true,
  },
  { name: 'simulated gateway', build: () => composedPlatform('simulated', { modemManager: false }), claims: SIMULATED_CLAIMS, exactSubtrees: EXACT_SUBTREES, wholeTree: false },
];

/** The claimed objects and every object above them (GetSupportedDM lists those too). */
function withAncestors(claims: readonly string[]): string[] {
  const out = new Set<string>();
  for (const c of claims) for (let p: string | undefined = c; p && !out.has(p); p = supportedParentPath(p)) out.add(p);
  return [...out].sort();
}

describe.each(CASES)('GetSupportedDM coverage: $name', ({ build, claims, exactSubtrees, wholeTree }) => {
  let c: Combination | undefined;
  afterEach(() => {
    c?.close();
    c = undefined;
  });

  it('serves every object it claims: bound to a provider, and described with parameters', async () => {
    c = await build();
    for (const path of claims) {
      const node = c.model.requireNode(path);
      expect(node.supported, path).toBe(true);
      // A provider of its own, or NumberOfEntries derived from the tables below it.
      expect(c.model.bindingOf(node) !== undefined || node.derivedCounts.size > 0, `${path} has a provider`).toBe(true);
    }
    const results = await c.gsdm([...claims], { firstLevelOnly: true, returnParams: true });
    for (const [i, r] of results.entries()) {
      expect(r.errCode, `${claims[i]}: ${r.errMsg}`).toBe(0);
      expect(r.supportedObjs?.[0]?.supportedObjPath).toBe(claims[i]);
      expect(r.supportedObjs?.[0]?.supportedParams?.length, claims[i]).toBeGreaterThan(0);
    }
  });

  it(`answers ${exactSubtrees.join(', ')} with exactly the objects it claims there`, async () => {
    c = await build();
    const results = await c.gsdm([...exactSubtrees]);
    for (const [i, r] of results.entries()) {
      const subtree = exactSubtrees[i]!;
      const claimed = claims.filter((p) => p.startsWith(subtree));
      const served = (r.supportedObjs ?? []).map((o) => o.supportedObjPath).sort();
      if (claimed.length === 0) {
        // Nothing served there: the subtree is not in the supported model at all.
        expect({ subtree, errCode: r.errCode, served }).toEqual({ subtree, errCode: ErrorCode.InvalidPath, served: [] });
      } else {
        expect({ subtree, errCode: r.errCode, served }).toEqual({ subtree, errCode: 0, served: withAncestors(claimed).filter((p) => p.startsWith(subtree)) });
      }
    }
  });

  // Declared only where the claims are the whole tree (so no case shows up as skipped).
  if (wholeTree)
    it('serves nothing it does not claim', async () => {
      c = await build();
      const [r] = await c.gsdm(['Device.']);
      // Device.LocalAgent. is the agent's own, not the platform's.
      const served = (r!.supportedObjs ?? [])
        .map((o) => o.supportedObjPath)
        .filter((p) => !p.startsWith('Device.LocalAgent.'))
        .sort();
      expect(served).toEqual(withAncestors(claims));
    });
});

describe.each(CASES.filter((k) => k.claims.includes('Device.Cellular.Interface.{i}.')))('GetSupportedDM vendor parameters: $name', ({ build }) => {
  let c: Combination | undefined;
  afterEach(() => {
    c?.close();
    c = undefined;
  });

  it(`describes the modem's SINR under the configured prefix (${VENDOR_PREFIX}SINR), and no other`, async () => {
    c = await build();
    const sinr = `${VENDOR_PREFIX}SINR`;
    const expected = { paramName: sinr, access: 'PARAM_READ_ONLY', valueType: 'PARAM_INT', valueChange: 'VALUE_CHANGE_ALLOWED' };
    const [object, param, other] = await c.gsdm(['Device.Cellular.Interface.{i}.', `Device.Cellular.Interface.{i}.${sinr}`, 'Device.Cellular.Interface.{i}.X_OTHER-COM_SINR'], {
      firstLevelOnly: true,
      returnParams: true,
    });
    expect(object!.supportedObjs![0]!.supportedParams).toContainEqual(expected);
    expect(object!.supportedObjs![0]!.supportedParams!.filter((p) => p.paramName.startsWith('X_')).map((p) => p.paramName)).toEqual([sinr]);
    expect(param).toMatchObject({ errCode: 0, supportedObjs: [{ supportedObjPath: 'Device.Cellular.Interface.{i}.', supportedParams: [expected] }] });
    expect(other).toMatchObject({ errCode: ErrorCode.InvalidPath });
  });
});
