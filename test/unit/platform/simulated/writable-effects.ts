/**
 * What a Set of each readWrite parameter of the profiles the simulated gateway meets changes
 * (test/fixtures/profiles/simulated.json), read from the code: `sim` names the simulated state
 * that follows the value, `agent` a parameter the agent core implements on every platform, and
 * `stored` one the simulation only stores and reads back, with why. docs/platform-mapping.md
 * ("Simulated gateway: writable parameters without an effect") lists the `stored` ones.
 * Keys are supported paths; an object prefix ending in "." covers every parameter under it.
 */
export type Effect = { sim: string } | { agent: string } | { stored: string };

export const WRITABLE_EFFECTS: Record<string, Effect> = {
  // Agent core: the same code on every platform (agent/), not the simulation's.
  'Device.BulkData.': { agent: 'Bulk Data collector: profiles, encodings, HTTP transfer and retries (agent/bulkdata)' },
  'Device.LocalAgent.': { agent: 'Controllers, MTPs, Roles, Subscriptions (agent core)' },
  'Device.MQTT.': { agent: 'MQTT client connections (mtp/)' },
  'Device.IP.Diagnostics.UDPEchoConfig.': { agent: 'the UDP echo server (agent diagnostics)' },

  'Device.Bridging.Bridge.{i}.Enable': { sim: "bridge Status and its ports' LastChange/Stats" },
  'Device.Bridging.Bridge.{i}.Standard': { stored: 'every simulated bridge forwards the same whatever 802.1D/802.1Q revision it names' },
  'Device.Bridging.Bridge.{i}.Port.{i}.Enable': { sim: 'port Status and Stats (counters stand still while disabled)' },
  'Device.Bridging.Bridge.{i}.Port.{i}.LowerLayers': { sim: "which interface's traffic the port counts; the management port's LowerLayers" },
  'Device.Bridging.Bridge.{i}.Port.{i}.ManagementPort': { sim: "the port becomes the bridge's own interface (LowerLayers = the other ports)" },
  'Device.Bridging.Bridge.{i}.Port.{i}.PVID': { stored: 'validated against the VLAN table; the traffic model is not per VLAN, so no frame changes VLAN' },
  'Device.Bridging.Bridge.{i}.Port.{i}.AcceptableFrameTypes': { stored: 'no simulated LAN device sends tagged frames, so admitting or dropping them changes no counter' },
  'Device.Bridging.Bridge.{i}.Port.{i}.IngressFiltering': { stored: 'no simulated frame carries a VLAN the port is not a member of' },
  'Device.Bridging.Bridge.{i}.Port.{i}.PriorityTagging': { stored: 'the traffic model has no 802.1p priorities' },
  'Device.Bridging.Bridge.{i}.Port.{i}.DefaultUserPriority': { stored: 'the traffic model has no 802.1p priorities' },
  'Device.Bridging.Bridge.{i}.Port.{i}.PriorityRegeneration': { stored: 'the traffic model has no 802.1p priorities' },
  'Device.Bridging.Bridge.{i}.VLAN.{i}.Enable': { stored: 'VLAN configuration table; the traffic model is not per VLAN' },
  'Device.Bridging.Bridge.{i}.VLAN.{i}.Name': { stored: 'a label' },
  'Device.Bridging.Bridge.{i}.VLAN.{i}.VLANID': { sim: 'which PVIDs the bridge ports accept (validation)' },
  'Device.Bridging.Bridge.{i}.VLANPort.{i}.Enable': { stored: 'VLAN membership table; the traffic model is not per VLAN' },
  'Device.Bridging.Bridge.{i}.VLANPort.{i}.Port': { stored: 'VLAN membership table; the traffic model is not per VLAN' },
  'Device.Bridging.Bridge.{i}.VLANPort.{i}.VLAN': { stored: 'VLAN membership table; the traffic model is not per VLAN' },
  'Device.Bridging.Bridge.{i}.VLANPort.{i}.Untagged': { stored: 'VLAN membership table; the traffic model is not per VLAN' },
  'Device.BulkData.Enable': { agent: 'the Bulk Data collector' },

  'Device.Cellular.RoamingEnabled': { stored: 'the simulated SIM is always on its home network (RoamingStatus Home), so roaming is never allowed or refused' },
  'Device.Cellular.Interface.{i}.Enable': { sim: 'modem Status, the data session, the WAN IP interface and everything over it' },
  'Device.Cellular.Interface.{i}.PreferredAccessTechnology': { sim: 'CurrentAccessTechnology and the peak rates (NR, LTE, UMTS)' },
  'Device.Cellular.AccessPoint.{i}.APN': { sim: "the data session: torn down and set up again; only the operator's APNs get one" },
  'Device.Cellular.AccessPoint.{i}.Enable': { sim: 'the data session runs on the enabled access point' },
  'Device.Cellular.AccessPoint.{i}.Interface': { sim: 'the data session runs on the access point of the modem' },

  'Device.DHCPv4.Server.Enable': { sim: 'leases (Client table) and Hosts addresses' },
  'Device.DHCPv4.Server.Pool.{i}.Enable': { sim: 'which pool serves br-lan (leases)' },
  'Device.DHCPv4.Server.Pool.{i}.Order': { sim: 'which enabled pool serves br-lan' },
  'Device.DHCPv4.Server.Pool.{i}.Interface': { sim: 'which pool serves br-lan' },
  'Device.DHCPv4.Server.Pool.{i}.MinAddress': { sim: 'the addresses leased to LAN clients (and Status Error_Misconfigured outside the LAN subnet)' },
  'Device.DHCPv4.Server.Pool.{i}.MaxAddress': { sim: 'the addresses leased to LAN clients' },
  'Device.DHCPv4.Server.Pool.{i}.SubnetMask': { sim: "a pool off br-lan hands out its own subnet; on br-lan a mask other than the LAN's is Error_Misconfigured" },
  'Device.DHCPv4.Server.Pool.{i}.LeaseTime': { sim: 'lease expiry and renewal times (Client.{i}.IPv4Address.{i}.LeaseTimeRemaining, how long a gone visitor stays in Hosts)' },
  'Device.DHCPv4.Server.Pool.{i}.ReservedAddresses': { sim: 'never leased: a client holding one moves to a free address (Client IPv4Address, Hosts)' },
  'Device.DHCPv4.Server.Pool.{i}.DNSServers': { stored: 'handed out as option 6, but no simulated client reports the options it received' },
  'Device.DHCPv4.Server.Pool.{i}.DomainName': { stored: 'handed out as option 15, but no simulated client reports the options it received' },
  'Device.DHCPv4.Server.Pool.{i}.IPRouters': { stored: 'handed out as option 3, but no simulated client reports the options it received' },
  'Device.DHCPv4.Server.Pool.{i}.Option.{i}.Enable': { stored: 'an extra option handed out; no simulated client reports the options it received' },
  'Device.DHCPv4.Server.Pool.{i}.Option.{i}.Tag': { stored: 'an extra option handed out; no simulated client reports the options it received' },
  'Device.DHCPv4.Server.Pool.{i}.Option.{i}.Value': { stored: 'an extra option handed out; no simulated client reports the options it received' },

  'Device.DNS.Client.Enable': { sim: 'client and server Status' },
  'Device.DNS.Client.Server.{i}.Enable': { sim: 'server Status; the client is in Error with no enabled server' },
  'Device.DNS.Client.Server.{i}.DNSServer': {
    stored:
      'no simulated client resolves names, and the IP diagnostics run on the network and resolver of the host: a server they never ask would be an invented effect (network-assigned rows refuse it, 7012)',
  },
  'Device.DNS.Client.Server.{i}.Interface': { stored: 'no simulated client resolves names (network-assigned rows refuse it, 7012)' },
  'Device.DNS.Relay.Enable': { sim: 'relay and forwarder Status' },
  'Device.DNS.Relay.Forwarding.{i}.Enable': { sim: 'forwarder Status' },
  'Device.DNS.Relay.Forwarding.{i}.DNSServer': {
    stored:
      'no simulated client resolves names, and the IP diagnostics run on the network and resolver of the host: a server they never ask would be an invented effect (network-assigned rows refuse it, 7012)',
  },
  'Device.DNS.Relay.Forwarding.{i}.Interface': { stored: 'no simulated client resolves names (network-assigned rows refuse it, 7012)' },

  'Device.DeviceInfo.ProvisioningCode': { stored: "the Controller's label for the device (TR-181: its provisioning information); nothing on the device reads it" },
  'Device.DeviceInfo.BootFirmwareImage': { sim: 'the bank the simulated boot loader starts at the next Reboot()' },
  'Device.DeviceInfo.FirmwareImage.{i}.Available': { sim: 'the boot loader only boots an Available bank' },
  'Device.DeviceInfo.Location.{i}.DataObject': { sim: 'the External location row a Controller configured (it is the value itself)' },
  'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.Enable': { sim: 'readings stop, Status Disabled' },
  'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.HighAlarmValue': { sim: 'HighAlarmTime (reset, then set when a reading crosses it)' },
  'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.LowAlarmValue': { sim: 'LowAlarmTime (reset, then set when a reading crosses it)' },
  'Device.DeviceInfo.TemperatureStatus.TemperatureSensor.{i}.PollingInterval': { sim: 'how often LastUpdate/Value change' },

  'Device.Ethernet.Interface.{i}.Enable': { sim: 'link Status, Stats, the bridge port and the wired Hosts' },
  'Device.Ethernet.Interface.{i}.MaxBitRate': { sim: 'CurrentBitRate (the link negotiates at most this)' },
  'Device.Ethernet.Interface.{i}.DuplexMode': { sim: 'CurrentDuplexMode' },
  'Device.Ethernet.RMONStats.{i}.Enable': { sim: 'Status and the counters: a disabled row reports none, one enabled again counts from then' },
  'Device.Ethernet.Link.{i}.Enable': { sim: 'link Status, LastChange and Stats (counters stand still while disabled), the IP interface over it' },
  'Device.Ethernet.Link.{i}.LowerLayers': { sim: "an added Link's Status, LastChange and MACAddress follow the lower layer it names (the gateway's own two refuse a change, 7012)" },

  'Device.Firewall.Config': { sim: 'whether port mappings pass (PortMapping Status with the Advanced level)' },

  'Device.IP.IPv4Enable': { sim: 'IPv4Status' },
  'Device.IP.IPv6Enable': { sim: "IPv6Status and the interfaces' IPv6 addresses" },
  'Device.IP.ULAPrefix': { sim: "br-lan's ULA IPv6 prefix and addresses" },
  'Device.IP.Interface.{i}.Enable': { sim: 'interface Status, Stats, routes, NAT and DHCP over it' },
  'Device.IP.Interface.{i}.IPv4Enable': { sim: 'interface Status and its IPv4 addresses' },
  'Device.IP.Interface.{i}.IPv6Enable': { sim: 'interface Status and its IPv6 addresses' },
  'Device.IP.Interface.{i}.ULAEnable': { sim: "br-lan's ULA prefix and addresses" },
  'Device.IP.Interface.{i}.LowerLayers': { sim: 'Status follows the layer below; InterfaceStack' },
  'Device.IP.Interface.{i}.IPv4Address.{i}.Enable': { sim: 'address Status; the DHCP pool and routes on br-lan' },
  'Device.IP.Interface.{i}.IPv4Address.{i}.IPAddress': { sim: 'the LAN subnet: DHCP pool fit, routes, Hosts' },
  'Device.IP.Interface.{i}.IPv4Address.{i}.SubnetMask': { sim: 'the LAN subnet: DHCP pool fit, routes' },

  'Device.NAT.InterfaceSetting.{i}.Enable': { sim: "NAT Status and the port mappings' Status" },
  'Device.NAT.InterfaceSetting.{i}.Interface': { sim: 'NAT Status (only the WAN can masquerade)' },
  'Device.NAT.PortMapping.{i}.Enable': { sim: 'mapping Status' },
  'Device.NAT.PortMapping.{i}.Interface': { sim: 'mapping Status (Error_Misconfigured without one or AllInterfaces)' },
  'Device.NAT.PortMapping.{i}.AllInterfaces': { sim: 'mapping Status' },
  'Device.NAT.PortMapping.{i}.InternalClient': { sim: 'mapping Status (the LAN host must be there)' },
  'Device.NAT.PortMapping.{i}.ExternalPort': { sim: 'conflicts with other mappings are refused' },
  'Device.NAT.PortMapping.{i}.Protocol': { sim: 'conflicts with other mappings are refused' },
  'Device.NAT.PortMapping.{i}.RemoteHost': { sim: 'conflicts with other mappings are refused' },
  'Device.NAT.PortMapping.{i}.InternalPort': { stored: 'no simulated inbound connection is forwarded, so the LAN port is never used' },
  'Device.NAT.PortMapping.{i}.Description': { stored: 'a label' },

  'Device.Hosts.AccessControl.{i}.PhysAddress': { sim: "which LAN device the row blocks (its Host's WANStats stand still)" },
  'Device.Hosts.AccessControl.{i}.Enable': { sim: "whether the row blocks its device (the Host's WANStats)" },
  'Device.Hosts.AccessControl.{i}.AccessPolicy': { sim: 'Deny blocks the device all the time, Allow only outside its Schedule windows' },
  'Device.Hosts.AccessControl.{i}.Schedule.{i}.': { sim: "the windows an Allow row lets its device through (the Host's WANStats)" },

  'Device.Time.Enable': { sim: 'Time Status (NTP client)' },
  'Device.Time.LocalTimeZone': { stored: 'dateTime values are canonical UTC in this agent, so the zone changes no reported time' },

  'Device.WiFi.Radio.{i}.Enable': { sim: 'radio and SSID Status; its BSSes stop and their stations leave' },
  'Device.WiFi.Radio.{i}.Channel': { sim: 'ChannelsInUse, ChannelLastChange, ChannelLastSelectionReason; AutoChannelEnable off' },
  'Device.WiFi.Radio.{i}.ExtensionChannel': { sim: 'ChannelsInUse of a 40 MHz channel' },
  'Device.WiFi.Radio.{i}.MCS': { sim: "caps the stations' LastDataDownlink/UplinkRate" },
  'Device.WiFi.Radio.{i}.GuardInterval': { sim: "scales the stations' LastDataDownlink/UplinkRate (OFDM symbol time)" },
  'Device.WiFi.Radio.{i}.TransmitPower': { sim: "the 6 GHz radio's temperature sensor (amplifier heat)" },
  'Device.WiFi.Radio.{i}.OperatingFrequencyBand': { stored: 'each radio has one band: only its own value is accepted' },
  'Device.WiFi.Radio.{i}.OperatingStandards': {
    sim: "the radio's BSSes reload; each station runs the newest standard both have (OperatingStandard, rates capped to it), one with none is refused",
  },
  'Device.WiFi.Radio.{i}.AutoChannelEnable': { sim: 'switched on, the selection picks the channel (Channel, ChannelLastSelectionReason Auto_User, Stats); a manual Channel switches it off' },
  'Device.WiFi.Radio.{i}.IEEE80211hEnabled': { sim: 'off: no DFS channel in PossibleChannels (a manual one, or a block reaching one, refused; the selection moves off one)' },
  'Device.WiFi.Radio.{i}.RegulatoryDomain': { sim: "PossibleChannels and the channels Channel accepts (EU/CEPT, FCC or Japan's plan); unknown countries refused" },
  'Device.WiFi.SSID.{i}.Enable': { sim: 'SSID Status; the BSS stops and its stations leave' },
  'Device.WiFi.SSID.{i}.LowerLayers': { sim: 'the radio the SSID sits on (its Stats move with it); the BSS restarts' },
  'Device.WiFi.SSID.{i}.SSID': { sim: 'the BSS restarts: its stations re-associate; the PSK a passphrase makes' },
  'Device.WiFi.AccessPoint.{i}.Enable': { sim: 'AccessPoint Status; the BSS stops and its stations leave' },
  'Device.WiFi.AccessPoint.{i}.SSIDReference': { sim: 'which SSID an added AccessPoint serves (factory ones are fixed)' },
  'Device.WiFi.AccessPoint.{i}.MACAddressControlEnabled': { sim: 'stations outside AllowedMACAddress are refused (leave AssociatedDevice, Hosts Active false)' },
  'Device.WiFi.AccessPoint.{i}.AllowedMACAddress': { sim: 'the stations let in while MACAddressControlEnabled' },
  'Device.WiFi.AccessPoint.{i}.SSIDAdvertisementEnabled': {
    stored: 'the simulated stations already know the network, so a hidden SSID changes nothing for them; no simulated scanner lists our own BSSes',
  },
  'Device.WiFi.AccessPoint.{i}.WMMEnable': { sim: 'without WMM the BSS reloads and its stations run legacy 802.11a/g (OperatingStandard, rates up to 54 Mbit/s); refused on 6 GHz' },
  'Device.WiFi.AccessPoint.{i}.UAPSDEnable': { stored: 'power save is not modelled: no station sleeps' },
  'Device.WiFi.AccessPoint.{i}.Security.ModeEnabled': { sim: 'the BSS restarts; Enterprise without a RADIUS server is Error_Misconfigured and does not beacon; WPS Status' },
  'Device.WiFi.AccessPoint.{i}.Security.KeyPassphrase': { sim: 'the BSS restarts (stations re-associate); PreSharedKey' },
  'Device.WiFi.AccessPoint.{i}.Security.PreSharedKey': { sim: 'the BSS restarts (stations re-associate)' },
  'Device.WiFi.AccessPoint.{i}.Security.RadiusServerIPAddr': { sim: 'an Enterprise BSS serves (or is Error_Misconfigured without one) and restarts' },
  'Device.WiFi.AccessPoint.{i}.Security.RadiusServerPort': { sim: 'an Enterprise BSS restarts' },
  'Device.WiFi.AccessPoint.{i}.Security.RadiusSecret': { sim: 'an Enterprise BSS restarts' },
  'Device.WiFi.AccessPoint.{i}.Security.RekeyingInterval': {
    stored: 'TR-181 has no parameter that shows a group-key rekey (no counter, no last-rekey time), so a simulation has nothing to show it by',
  },
  'Device.WiFi.AccessPoint.{i}.Security.WEPKey': { stored: 'no WEP mode is offered (Wi-Fi 6 forbids WEP; ModesSupported lists none), so the key is never used' },
  'Device.WiFi.AccessPoint.{i}.WPS.Enable': { sim: 'WPS Status' },
  'Device.WiFi.AccessPoint.{i}.WPS.ConfigMethodsEnabled': { stored: 'no simulated device runs WPS (push button or PIN), so the allowed methods are never exercised' },
};
