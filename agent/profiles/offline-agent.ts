/**
 * `usp-agent profiles --platform P --offline`: the agent built in this process exactly as `run`
 * builds it (agent/Agent.ts: the schema, the agent's own objects, the platform's providers,
 * diagnostics, firmware, software modules) but with no MTP enabled and its state in a
 * throw-away directory, asked GetSupportedDM for Device., then stopped.
 *
 * On a live platform (linux, openwrt) a few parts of the model exist only when a source answers
 * on the machine the command runs on; LIVE_SOURCES names them, and the report says which were
 * found here, so an offline answer on a build host is read for what it is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../datamodel/Logger.js';
import type { Agent, AgentOptions } from '../Agent.js';
import type { SupportedObjectResult } from '../codec/types.js';
import type { BuiltinPlatformName as PlatformName } from '../platforms.js';
import { supportedDevice } from './served-by-agent.js';
import type { WiFiSettings } from '../../platform/linux/wifi.js';

/** Endpoint ID of the throw-away agent (nothing connects to it: no MTP is enabled). */
const OFFLINE_ENDPOINT_ID = 'proto::usp-agent-profiles-offline';

/** A part of the model whose presence depends on what answers on the device. */
export interface LiveSource {
  /** What must answer ("ModemManager (mmcli)"). */
  source: string;
  /** The objects (or parameters) that depend on it (supported paths; "." ends an object, "()" a command). */
  objects: string[];
  /** Whether it answered on this machine (the objects are in the report when it did). */
  found: boolean;
}

/** The Stats the agent's nftables counters give (platform/linux/packet-classes.ts); one stands for all. */
const PACKET_COUNTERS = { source: 'nftables (nft with CAP_NET_ADMIN, --packet-counters not off)', objects: ['Device.IP.Interface.{i}.Stats.UnicastPacketsReceived'] };

const LIVE_SOURCES: Record<'linux' | 'openwrt', ReadonlyArray<{ source: string; objects: string[] }>> = {
  linux: [
    { source: 'ModemManager (mmcli answers)', objects: ['Device.Cellular.'] },
    { source: 'a firmware backend (--firmware-hook)', objects: ['Device.DeviceInfo.FirmwareImage.{i}.'] },
    PACKET_COUNTERS,
    { source: 'nftables (nft with CAP_NET_ADMIN, --nat not off)', objects: ['Device.NAT.PortMapping.{i}.'] },
    { source: 'chrony (chronyc answers, --time not off)', objects: ['Device.Time.'] },
    { source: 'dnsmasq (/usr/sbin/dnsmasq, root, --dnsmasq not off)', objects: ['Device.DNS.Relay.', 'Device.DHCPv4.Server.', 'Device.DHCPv6.Server.'] },
    { source: 'Mosquitto (/usr/sbin/mosquitto, --mqtt-broker mosquitto)', objects: ['Device.MQTT.Broker.{i}.'] },
    { source: 'busybox udhcpc (--dhcp-client udhcpc)', objects: ['Device.DHCPv4.Client.{i}.'] },
    { source: 'miniupnpd (/usr/sbin/miniupnpd, root, --upnp-igd miniupnpd)', objects: ['Device.UPnP.Device.'] },
    { source: 'lldpd (lldpcli installed)', objects: ['Device.LLDP.Discovery.Device.{i}.'] },
    { source: 'dhcpcd (/usr/sbin/dhcpcd, --dhcp-client udhcpc)', objects: ['Device.DHCPv6.Client.{i}.'] },
  ],
  openwrt: [
    { source: 'ModemManager (mmcli answers)', objects: ['Device.Cellular.'] },
    { source: 'a firmware backend (sysupgrade, or --firmware-hook)', objects: ['Device.DeviceInfo.FirmwareImage.{i}.'] },
    PACKET_COUNTERS,
    { source: 'lldpd (lldpcli installed)', objects: ['Device.LLDP.Discovery.Device.{i}.'] },
    { source: 'Mosquitto (/usr/sbin/mosquitto, --mqtt-broker mosquitto)', objects: ['Device.MQTT.Broker.{i}.'] },
    { source: 'the miniupnpd package (/etc/config/upnpd)', objects: ['Device.UPnP.Device.'] },
  ],
};

export interface OfflineModel {
  platform: Exclude<PlatformName, 'auto'>;
  served: SupportedObjectResult[];
  /** Linux and OpenWrt: parts of the model that depend on sources found (or not) on this machine. */
  liveSources: LiveSource[];
}

/** Agent.start, handed in by the caller (see offlineModel). */
export type StartAgent = (opts: AgentOptions) => Promise<Agent>;

/**
 * Builds the agent for `platform` in-process with `start` (Agent.start) and returns what it
 * serves. The caller hands Agent.start in rather than this module importing the composition
 * root: `usp-agent profiles` is loaded with import(), and the bundler would then wrap
 * agent/Agent.ts and everything it imports in lazy initialisers (about 24 KB more in the bundle
 * and work at every start of the agent). `vendorPrefix` as `--vendor-prefix`;
 * `mqttBroker` as `--mqtt-broker mosquitto`, `upnpIgd` as `--upnp-igd miniupnpd` (opt-in parts the report can include);
 * `commandPath`: the platform's commands, and the files it reads inside that directory
 * (`etc/board.json`, `etc/config/upnpd`), come from there: a router's userland stood in for, so a
 * report can be built for a device with optional packages this machine lacks.
 */
export async function offlineModel(
  platform: Exclude<PlatformName, 'auto'>,
  start: StartAgent,
  opts: { vendorPrefix?: string; log?: Logger; mqttBroker?: boolean; upnpIgd?: boolean; firmwareHook?: string; commandPath?: string; dhcpClient?: boolean; wifi?: WiFiSettings } = {},
): Promise<OfflineModel> {
  const dataDir = mkdtempSync(join(tmpdir(), 'usp-agent-profiles-'));
  try {
    const agent = await start({
      defaults: { 'Device.LocalAgent.EndpointID': OFFLINE_ENDPOINT_ID },
      dataDir,
      // Its own staging directory: the platform's default (/tmp on OpenWrt) is a running agent's,
      // whose partial downloads a firmware backend's start clears.
      firmwareStaging: join(dataDir, 'firmware-staging'),
      platform,
      log: opts.log ?? silentLogger,
      vendorPrefix: opts.vendorPrefix,
      ...(opts.mqttBroker !== undefined ? { mqttBroker: opts.mqttBroker } : {}),
      ...(opts.upnpIgd !== undefined ? { upnpIgd: opts.upnpIgd } : {}),
      ...(opts.dhcpClient !== undefined ? { dhcpClient: opts.dhcpClient } : {}),
      ...(opts.firmwareHook !== undefined ? { firmwareHook: opts.firmwareHook } : {}),
      ...(opts.commandPath !== undefined ? { platformCommandPath: opts.commandPath } : {}),
      ...(opts.wifi !== undefined ? { wifi: opts.wifi } : {}),
    });
    try {
      const served = await supportedDevice(agent.model, agent.operations);
      const paths = new Set(served.flatMap((o) => [o.supportedObjPath, ...(o.supportedParams ?? []).map((p) => `${o.supportedObjPath}${p.paramName}`)]));
      const liveSources = platform === 'linux' || platform === 'openwrt' ? LIVE_SOURCES[platform].map((s) => ({ ...s, objects: [...s.objects], found: s.objects.every((p) => paths.has(p)) })) : [];
      return { platform, served, liveSources };
    } finally {
      await agent.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
