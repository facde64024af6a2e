/**
 * Device.MQTT.Broker.{i}. (MQTTBrokerBase:1, MQTTBrokerExtended:1, MQTTBrokerBridgeBase:1) on
 * OpenWrt with `--mqtt-broker mosquitto` (UCI `mqtt_broker`): the agent runs one Mosquitto per
 * enabled row itself, exactly as on generic Linux (../linux/mqtt-broker.ts does the work; this
 * file only gives it the OpenWrt answers to its questions):
 *
 * - Interface names an IP.Interface row, which on OpenWrt is a netifd interface (`lan`); the row
 *   keeps that name, and the listener binds the first IPv4 address netifd reports for it in
 *   `ubus call network.interface dump` (the address on its l3_device). A row added without an
 *   Interface gets netifd's `loopback` (127.0.0.1 only).
 * - The binary is the package's (mosquitto-ssl or mosquitto-nossl install /usr/sbin/mosquitto);
 *   it runs as the package's `mosquitto` user with its files under /var/run (tmpfs: no flash writes).
 *
 * Why not the package's own UCI mode (/etc/config/mosquitto with `use_uci`, started by procd from
 * /etc/init.d/mosquitto): that script makes one broker from one file, binds a listener either to
 * 127.0.0.1 or to every address (no address of one interface), logs to syslog (the agent reads the
 * log for Bridge status and ConnectionErrors) and keeps bridge passwords in clear in /etc/config;
 * TR-181 has a table of brokers, each on one interface. So the package's service must be disabled,
 * or listen on another port: a row whose port is taken reads Status Error, and the agent logs the
 * fix below beside Mosquitto's "Address already in use".
 */
import type { DataStore } from '../../datamodel/store/DataStore.js';
import { brokerRunDir, mosquittoUsable } from '../linux/mosquitto-conf.js';
import { LinuxMqttBroker } from '../linux/mqtt-broker.js';
import type { IPInterfaces } from './ip.js';
import type { OpenWrtContext } from './OpenWrtContext.js';
import type { InterfaceDump } from './ubus-types.js';

/** netifd's name of the loopback interface (config_generate's `config interface 'loopback'`). */
export const OPENWRT_LOOPBACK = 'loopback';

/** What an operator does when the package's own broker holds the port. */
export const OPENWRT_PORT_IN_USE_FIX = "the mosquitto package's own service may hold it: run `/etc/init.d/mosquitto stop; /etc/init.d/mosquitto disable`, or set another Port";

export interface OpenWrtMqttBrokerOptions {
  /** `--mqtt-broker mosquitto`: true to serve Device.MQTT.Broker. */
  mqttBroker?: boolean;
  /** The agent's store (the rows, and its directory the pid files); without one nothing is served. */
  store?: DataStore;
  /** The Mosquitto binary (default /usr/sbin/mosquitto). */
  binary?: string;
  /** Where the brokers' files go (default: brokerRunDir of the data directory). */
  runDir?: string;
}

/** The broker rows' start (once the store is loaded) and stop. */
export interface OpenWrtMqttBroker {
  start(): Promise<void>;
  stop(): void;
}

/** Registers Device.MQTT.Broker. when asked for and Mosquitto is installed; undefined (logged) otherwise. */
export function registerOpenWrtMqttBroker(ctx: OpenWrtContext, ip: IPInterfaces, opts: OpenWrtMqttBrokerOptions): OpenWrtMqttBroker | undefined {
  if (opts.mqttBroker === undefined) return undefined;
  const usable = mosquittoUsable(opts.mqttBroker, opts.binary);
  const dataDir = opts.store?.dir;
  if (!usable.usable || !opts.store || !dataDir) {
    if (opts.mqttBroker) ctx.log.warn('Device.MQTT.Broker. not served', { why: usable.why ?? 'no data directory to keep its rows in', setting: '--mqtt-broker (UCI mqtt_broker)' });
    return undefined;
  }
  const broker = new LinuxMqttBroker({
    model: ctx.model,
    store: opts.store,
    interfaces: {
      nameOf: (reference) => ip.nameOf(reference),
      // IPInterfaces answers "" for an interface netifd does not run.
      pathOf: async (name) => (await ip.pathOf(name)) || undefined,
    },
    addressOf: (name) => netifdIpv4(ctx, name),
    loopback: OPENWRT_LOOPBACK,
    portInUseFix: OPENWRT_PORT_IN_USE_FIX,
    dataDir,
    runDir: opts.runDir ?? brokerRunDir(dataDir),
    binary: opts.binary,
    log: ctx.log,
  });
  broker.register();
  return broker;
}

/** The first IPv4 address netifd reports for the interface `name` (on its l3_device), if it runs with one. */
export async function netifdIpv4(ctx: OpenWrtContext, name: string): Promise<string | undefined> {
  const dump = await ctx.ubus<InterfaceDump>('network.interface', 'dump');
  const status = dump.interface?.find((i) => i.interface === name);
  return status?.up === false ? undefined : status?.['ipv4-address']?.[0]?.address;
}
