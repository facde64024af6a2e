/**
 * The required items of the TR-181 2.19.1 profiles of the LAN/WAN side, written out by hand from
 * the BBF profile definitions (tr-181-2-19-1-usp.xml and its bridging, nat, dns, hosts, dhcpv4,
 * firewall and time components), so the coverage test checks the agent against an independent
 * reading of the standard rather than against the agent's own profile computation.
 *
 * An object is "present" (served, any access) or "createDelete" (a Controller can Add and Delete
 * rows: OBJ_ADD_DELETE). A parameter name alone is readOnly (served); "Name W" is readWrite and
 * "Name W1" writeOnceReadOnly (both must be PARAM_READ_WRITE over USP: the Alias is written
 * once, by a Controller at Add). "Name()" is a required command.
 */
export interface ProfileItems {
  profile: string;
  objects: Record<string, { requirement: 'present' | 'createDelete'; items: string[] }>;
}

const PORT_STATS = [
  'BytesSent',
  'BytesReceived',
  'PacketsSent',
  'PacketsReceived',
  'ErrorsSent',
  'ErrorsReceived',
  'UnicastPacketsSent',
  'UnicastPacketsReceived',
  'DiscardPacketsSent',
  'DiscardPacketsReceived',
  'MulticastPacketsSent',
  'MulticastPacketsReceived',
  'BroadcastPacketsSent',
  'BroadcastPacketsReceived',
  'UnknownProtoPacketsReceived',
];

/** Bridge:1 (tr-181-2-19-0-bridging.xml). */
export const BRIDGE_1: ProfileItems = {
  profile: 'Bridge:1',
  objects: {
    'Device.Bridging.': { requirement: 'present', items: ['MaxBridgeEntries', 'MaxDBridgeEntries', 'BridgeNumberOfEntries'] },
    'Device.Bridging.Bridge.{i}.': { requirement: 'present', items: ['Enable W', 'Status', 'PortNumberOfEntries'] },
    'Device.Bridging.Bridge.{i}.Port.{i}.': {
      requirement: 'createDelete',
      items: ['Enable W', 'Status', 'Alias W1', 'Name', 'LastChange', 'LowerLayers W', 'ManagementPort W', 'PortState'],
    },
    'Device.Bridging.Bridge.{i}.Port.{i}.Stats.': { requirement: 'present', items: PORT_STATS },
  },
};

/** VLANBridge:1 (tr-181-2-19-0-bridging.xml). */
export const VLAN_BRIDGE_1: ProfileItems = {
  profile: 'VLANBridge:1',
  objects: {
    'Device.Bridging.': {
      requirement: 'present',
      items: ['MaxBridgeEntries', 'MaxDBridgeEntries', 'MaxQBridgeEntries', 'MaxVLANEntries', 'BridgeNumberOfEntries'],
    },
    'Device.Bridging.Bridge.{i}.': {
      requirement: 'createDelete',
      items: ['Enable W', 'Status', 'Standard W', 'PortNumberOfEntries', 'VLANNumberOfEntries', 'VLANPortNumberOfEntries'],
    },
    'Device.Bridging.Bridge.{i}.Port.{i}.': {
      requirement: 'createDelete',
      items: [
        'Enable W',
        'Status',
        'Alias W1',
        'Name',
        'LastChange',
        'LowerLayers W',
        'ManagementPort W',
        'DefaultUserPriority W',
        'PriorityRegeneration W',
        'PortState',
        'PVID W',
        'AcceptableFrameTypes W',
        'IngressFiltering W',
        'PriorityTagging W',
      ],
    },
    'Device.Bridging.Bridge.{i}.Port.{i}.Stats.': { requirement: 'present', items: PORT_STATS },
    'Device.Bridging.Bridge.{i}.VLAN.{i}.': { requirement: 'createDelete', items: ['Enable W', 'Name W', 'VLANID W'] },
    'Device.Bridging.Bridge.{i}.VLANPort.{i}.': { requirement: 'createDelete', items: ['Enable W', 'VLAN W', 'Port W', 'Untagged W'] },
  },
};

/** NAT:1 (tr-181-2-19-0-nat.xml). */
export const NAT_1: ProfileItems = {
  profile: 'NAT:1',
  objects: {
    'Device.NAT.': { requirement: 'present', items: ['InterfaceSettingNumberOfEntries', 'PortMappingNumberOfEntries'] },
    'Device.NAT.InterfaceSetting.{i}.': { requirement: 'createDelete', items: ['Enable W', 'Status', 'Interface W'] },
    'Device.NAT.PortMapping.{i}.': {
      requirement: 'createDelete',
      items: ['Enable W', 'Interface W', 'AllInterfaces W', 'LeaseDuration', 'RemoteHost W', 'ExternalPort W', 'InternalPort W', 'Protocol W', 'InternalClient W', 'Description W'],
    },
  },
};

/** DNSRelay:1 (tr-181-2-19-0-dns.xml). */
export const DNS_RELAY_1: ProfileItems = {
  profile: 'DNSRelay:1',
  objects: {
    'Device.DNS.': { requirement: 'present', items: [] },
    'Device.DNS.Relay.': { requirement: 'present', items: ['Enable W', 'Status', 'ForwardNumberOfEntries'] },
    'Device.DNS.Relay.Forwarding.{i}.': { requirement: 'createDelete', items: ['Enable W', 'Status', 'DNSServer W', 'Interface W', 'Type'] },
  },
};

/** Hosts:3 (tr-181-2-19-0-hosts.xml; Hosts:1 and Hosts:2 are deleted, Hosts:3 holds both). */
export const HOSTS_3: ProfileItems = {
  profile: 'Hosts:3',
  objects: {
    'Device.Hosts.': { requirement: 'present', items: ['HostNumberOfEntries'] },
    'Device.Hosts.Host.{i}.': {
      requirement: 'present',
      items: ['IPAddress', 'PhysAddress', 'HostName', 'Active', 'Layer1Interface', 'Layer3Interface', 'DHCPClient', 'AssociatedDevice', 'IPv4AddressNumberOfEntries', 'IPv6AddressNumberOfEntries'],
    },
    'Device.Hosts.Host.{i}.IPv4Address.{i}.': { requirement: 'present', items: ['IPAddress'] },
    'Device.Hosts.Host.{i}.IPv6Address.{i}.': { requirement: 'present', items: ['IPAddress'] },
  },
};

/** IPInterface:1 (tr-181-2-19-1-usp.xml). */
export const IP_INTERFACE_1: ProfileItems = {
  profile: 'IPInterface:1',
  objects: {
    'Device.IP.': { requirement: 'present', items: ['InterfaceNumberOfEntries'] },
    'Device.IP.Interface.{i}.': {
      requirement: 'createDelete',
      items: ['Enable W', 'Status', 'Alias W1', 'Name', 'LastChange', 'LowerLayers W', 'Type', 'Reset()', 'IPv4AddressNumberOfEntries'],
    },
    'Device.IP.Interface.{i}.IPv4Address.{i}.': { requirement: 'createDelete', items: ['Enable W', 'IPAddress W', 'SubnetMask W', 'AddressingType'] },
    'Device.IP.Interface.{i}.Stats.': { requirement: 'present', items: PORT_STATS },
  },
};

/** IPInterface:2 = IPInterface:1 plus these (its base). */
export const IP_INTERFACE_2: ProfileItems = {
  profile: 'IPInterface:2',
  objects: {
    ...IP_INTERFACE_1.objects,
    'Device.IP.': { requirement: 'present', items: ['InterfaceNumberOfEntries', 'IPv4Enable W', 'IPv4Status'] },
    'Device.IP.Interface.{i}.': { requirement: 'createDelete', items: [...IP_INTERFACE_1.objects['Device.IP.Interface.{i}.'].items, 'IPv4Enable W'] },
    'Device.IP.Interface.{i}.IPv4Address.{i}.': {
      requirement: 'createDelete',
      items: [...IP_INTERFACE_1.objects['Device.IP.Interface.{i}.IPv4Address.{i}.'].items, 'Status'],
    },
  },
};

/** IPv6Interface:1 (tr-181-2-19-1-usp.xml). */
export const IPV6_INTERFACE_1: ProfileItems = {
  profile: 'IPv6Interface:1',
  objects: {
    'Device.IP.': { requirement: 'present', items: ['IPv6Capable', 'IPv6Enable W', 'IPv6Status', 'ULAPrefix W', 'InterfaceNumberOfEntries'] },
    'Device.IP.Interface.{i}.': {
      requirement: 'createDelete',
      items: ['Enable W', 'IPv6Enable W', 'Status', 'Alias W1', 'Name', 'LastChange', 'LowerLayers W', 'Type', 'ULAEnable W', 'Reset()', 'IPv6AddressNumberOfEntries', 'IPv6PrefixNumberOfEntries'],
    },
  },
};

/** DHCPv4Server:1 (tr-181-2-19-0-dhcpv4.xml): the pool, its options. */
export const DHCPV4_SERVER_1: ProfileItems = {
  profile: 'DHCPv4Server:1',
  objects: {
    'Device.DHCPv4.': { requirement: 'present', items: [] },
    'Device.DHCPv4.Server.': { requirement: 'present', items: ['Enable W', 'PoolNumberOfEntries'] },
    'Device.DHCPv4.Server.Pool.{i}.': {
      requirement: 'createDelete',
      items: [
        'Enable W',
        'Order W',
        'Interface W',
        'MinAddress W',
        'MaxAddress W',
        'ReservedAddresses W',
        'SubnetMask W',
        'DNSServers W',
        'DomainName W',
        'IPRouters W',
        'LeaseTime W',
        'OptionNumberOfEntries',
      ],
    },
    'Device.DHCPv4.Server.Pool.{i}.Option.{i}.': { requirement: 'createDelete', items: ['Enable W', 'Tag W', 'Value W'] },
  },
};

/** DHCPv4ServerClientInfo:1 (tr-181-2-19-0-dhcpv4.xml): the leases and what each client sent. */
export const DHCPV4_SERVER_CLIENT_INFO_1: ProfileItems = {
  profile: 'DHCPv4ServerClientInfo:1',
  objects: {
    'Device.DHCPv4.Server.Pool.{i}.': { requirement: 'createDelete', items: ['ClientNumberOfEntries'] },
    'Device.DHCPv4.Server.Pool.{i}.Client.{i}.': {
      requirement: 'present',
      items: ['Alias W1', 'Chaddr', 'Active', 'IPv4AddressNumberOfEntries', 'OptionNumberOfEntries'],
    },
    'Device.DHCPv4.Server.Pool.{i}.Client.{i}.IPv4Address.{i}.': { requirement: 'present', items: ['IPAddress', 'LeaseTimeRemaining'] },
    'Device.DHCPv4.Server.Pool.{i}.Client.{i}.Option.{i}.': { requirement: 'present', items: ['Tag', 'Value'] },
  },
};

/** DHCPv4Relay:1 (tr-181-2-19-0-dhcpv4.xml): conditional relaying. */
export const DHCPV4_RELAY_1: ProfileItems = {
  profile: 'DHCPv4Relay:1',
  objects: {
    'Device.DHCPv4.': { requirement: 'present', items: [] },
    'Device.DHCPv4.Relay.': { requirement: 'present', items: ['Enable W', 'ForwardingNumberOfEntries'] },
    'Device.DHCPv4.Relay.Forwarding.{i}.': {
      requirement: 'createDelete',
      items: ['Enable W', 'Order W', 'Interface W', 'LocallyServed W', 'DHCPServerIPAddress W', 'VendorClassID W', 'ClientID W', 'UserClassID W', 'Chaddr W', 'ChaddrMask W'],
    },
  },
};

/** SimpleFirewall:1 (tr-181-2-19-0-firewall.xml), the "Firewall:1" of the brief. */
export const SIMPLE_FIREWALL_1: ProfileItems = {
  profile: 'SimpleFirewall:1',
  objects: { 'Device.Firewall.': { requirement: 'present', items: ['Config W', 'Version', 'LastChange'] } },
};

/** Time:2 (tr-181-2-19-0-time.xml). */
export const TIME_2: ProfileItems = {
  profile: 'Time:2',
  objects: { 'Device.Time.': { requirement: 'present', items: ['Enable W', 'Status', 'CurrentLocalTime', 'LocalTimeZone W'] } },
};

/** Every profile of the LAN/WAN side, in the order the issue lists them. */
export const ALL_LAN_WAN_PROFILES: readonly ProfileItems[] = [
  BRIDGE_1,
  VLAN_BRIDGE_1,
  NAT_1,
  DNS_RELAY_1,
  HOSTS_3,
  IP_INTERFACE_1,
  IP_INTERFACE_2,
  IPV6_INTERFACE_1,
  DHCPV4_SERVER_1,
  DHCPV4_SERVER_CLIENT_INFO_1,
  DHCPV4_RELAY_1,
  SIMPLE_FIREWALL_1,
  TIME_2,
];

/** The profiles the simulated gateway meets. */
export const LAN_WAN_PROFILES: readonly ProfileItems[] = [
  BRIDGE_1,
  VLAN_BRIDGE_1,
  NAT_1,
  DNS_RELAY_1,
  HOSTS_3,
  IP_INTERFACE_1,
  IP_INTERFACE_2,
  IPV6_INTERFACE_1,
  DHCPV4_SERVER_1,
  DHCPV4_SERVER_CLIENT_INFO_1,
  DHCPV4_RELAY_1,
  SIMPLE_FIREWALL_1,
  TIME_2,
];

/**
 * What `requirement` misses in a GetSupportedDM description (`objects`: supported path → object
 * access and its parameters' and commands' access), one line per missing or too-weak item.
 */
export function missingItems(req: ProfileItems, objects: ReadonlyMap<string, SupportedDescription>): string[] {
  const missing: string[] = [];
  for (const [path, { requirement, items }] of Object.entries(req.objects)) {
    const obj = objects.get(path);
    if (!obj) {
      missing.push(`${path} (not served)`);
      continue;
    }
    if (requirement === 'createDelete' && obj.access !== 'OBJ_ADD_DELETE') missing.push(`${path} is ${obj.access}, not createDelete`);
    for (const item of items) {
      const [name, want] = item.split(' ');
      if (name.endsWith('()')) {
        if (!obj.commands.has(name)) missing.push(`${path}${name}`);
        continue;
      }
      const access = obj.params.get(name);
      if (access === undefined) missing.push(`${path}${name}`);
      else if (want && access !== 'PARAM_READ_WRITE') missing.push(`${path}${name} is ${access}, not writable`);
    }
  }
  return missing;
}

export interface SupportedDescription {
  access: string;
  params: Map<string, string>;
  commands: Set<string>;
}
