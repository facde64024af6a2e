/**
 * `usp-agent` command line. The data-model commands (`get`, `set`, ..., `watch`, `schema`) live in
 * commands/; usage errors exit 2 (cli-error.ts). `run` starts the agent and supervises it: a Reboot() or
 * FactoryReset() restarts it in-process on the simulated platform (or none), and on a live
 * platform (OpenWrt, Linux) stops it cleanly and exits with EXIT_RESTART for procd, systemd or
 * Docker to start it again (the next Boot! says why, from the boot record in the data dir);
 * SIGTERM/SIGINT stop it cleanly (stop accepting, answer what is in flight, save state) and exit 0.
 */
import { resolve } from 'node:path';
import { createLogger, isLogLevel, type LogLevel } from '../../datamodel/Logger.js';
import { Agent, type AgentOptions, type AgentTlsFiles, type PlatformName } from '../Agent.js';
import { PLATFORM_NAMES } from '../platforms.js';
import { readDefaultsFileWithPlugins } from '../defaults/apply-defaults.js';
import type { BootRecord } from '../boot-cause.js';
import { DataDirError } from '../../datamodel/store/data-dir.js';
import { Schema } from '../../datamodel/schema/Schema.js';
import { EXIT_USAGE } from './cli-error.js';
import { dataCommands } from './commands/data-commands.js';
import { watchAndSchemaCommands } from './commands/watch-schema-commands.js';
import { profilesCommand } from './commands/profiles-command.js';
import { fleetCommand } from './commands/fleet-command.js';
import { parseRunFast, type RunOptionValues } from './run-fast-path.js';
import { timeSetting } from '../defaults/time-option.js';
import { parseMqttBrokerOption } from '../defaults/mqtt-broker-option.js';
import { parseUpnpIgdOption } from '../defaults/upnp-igd-option.js';
import {
  checkManageDns,
  parseManageInterfacesOption,
  parsePacketCountersOption,
  parseNatOption,
  parseDnsmasqOption,
  parseAccessControlOption,
  parseFirewallOption,
  parseDhcpClientOption,
} from '../defaults/manage-interfaces.js';
import { wifiSetting, withFileHostapdConf } from '../defaults/wifi-option.js';
import type { WiFiSettings } from '../../platform/linux/wifi.js';
import { parseRadvdOption } from '../defaults/radvd-option.js';
import { mergeServiceSwitches, serviceSwitchesFromArgs } from '../defaults/service-switches-option.js';
import type { ServiceSwitches } from '../../platform/service-switches.js';
import { parseAlarmCheckPeriod } from '../defaults/alarm-check-option.js';

/** Exit code when the agent cannot start (bad defaults, port in use): procd should not respawn fast. */
export const EXIT_START_FAILED = 2;
/** Exit code after Reboot()/FactoryReset() on a live platform: the service manager starts the agent again. */
export const EXIT_RESTART = 3;

interface RunArgs {
  defaults: string;
  dataDir?: string;
  platform: PlatformName;
  logLevel: LogLevel;
  seed?: number;
  tls?: AgentTlsFiles;
  vendorPrefix?: string;
  legacyCoap?: boolean;
  firmware?: Pick<AgentOptions, 'firmwareHook' | 'firmwareTrust' | 'firmwareStaging'>;
  plugins?: string[];
  manageInterfaces?: string[];
  manageDns?: string;
  packetCounters?: boolean;
  nat?: boolean;
  deviceImageDir?: string;
  vendorLogFiles?: string[];
  /** `--time` as given (checked in `timeSetting`, with the defaults file's `$time`). */
  time?: string;
  timeZoneFile?: string;
  wifi?: boolean | WiFiSettings;
  dnsmasq?: boolean;
  accessControl?: boolean;
  firewall?: boolean;
  mqttBroker?: boolean;
  upnpIgd?: boolean;
  dhcpClient?: boolean;
  radvd?: boolean;
  /** `--alarm-check-period`, ms. */
  alarmCheckMs?: number;
  /** `--captive-portal`, `--bridge-filter`, `--qos`. */
  services?: ServiceSwitches;
}

/** Set once SIGTERM/SIGINT arrived: a start that fails after it is a stop, not a start failure. */
let stopRequested = false;

async function run(args: RunArgs): Promise<void> {
  const log = createLogger(args.logLevel);
  let current: Agent | undefined;
  let starting: Promise<Agent> | undefined;
  const shutdown = (signal: string): void => {
    if (stopRequested) return;
    stopRequested = true;
    log.info('signal received; stopping', { signal });
    // Hard stop if something hangs: the budget is 2 s. Logged, so a stop() that hangs is seen.
    setTimeout(() => {
      log.warn('stop did not finish in time; exiting anyway', { afterMs: 1900 });
      process.exit(0);
    }, 1900).unref();
    // A signal during start-up lets the start finish (or fail) and then stops what it started:
    // state and the data directory's lock are left as after any clean stop.
    const running = current ? Promise.resolve(current) : (starting?.catch(() => undefined) ?? Promise.resolve(undefined));
    void running
      .then((a) => a?.stop())
      .then(
        () => process.exit(0),
        () => process.exit(0),
      );
  };
  // First, before any work: a SIGTERM at any point of start-up must stop the agent.
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // SIGHUP (procd's interface trigger when the WAN comes up): dial now. Without a handler Node
  // would exit on it and procd would count a crash.
  process.on('SIGHUP', () => {
    log.info('SIGHUP received; dialling controllers and brokers now', { mtps: current?.reconnectNow() ?? 0 });
  });
  // Plugins the defaults file names (`$plugins`) load before those of the command line.
  const {
    defaults,
    plugins: filePlugins,
    manageInterfaces: fileManaged,
    manageDns: fileDns,
    packetCounters: fileCounters,
    nat: fileNat,
    deviceImageDir: fileImageDir,
    vendorLogFiles: fileLogs,
    dnsmasq: fileDnsmasq,
    accessControl: fileAccess,
    firewall: fileFirewall,
    mqttBroker: fileBroker,
    upnpIgd: fileUpnpIgd,
    time: fileTime,
    timeZoneFile: fileZone,
    dhcpClient: fileDhcpClient,
    hostapdConf: fileHostapdConf,
    radvd: fileRadvd,
    alarmCheckMs: fileAlarmCheckMs,
    services: fileServices,
  } = readDefaultsFileWithPlugins(args.defaults);
  const plugins = [...filePlugins, ...(args.plugins ?? [])];
  // The command line wins over the defaults file's `$manageInterfaces` (an operator's override).
  const manageInterfaces = args.manageInterfaces ?? fileManaged;
  const manageDns = args.manageDns ?? fileDns;
  const packetCounters = args.packetCounters ?? fileCounters;
  const nat = args.nat ?? fileNat;
  const deviceImageDir = args.deviceImageDir ?? fileImageDir;
  // The defaults file's logs, then the command line's (as with plugins).
  const vendorLogFiles = [...(fileLogs ?? []), ...(args.vendorLogFiles ?? [])];
  const dnsmasq = args.dnsmasq ?? fileDnsmasq;
  const accessControl = args.accessControl ?? fileAccess;
  const firewall = args.firewall ?? fileFirewall;
  const mqttBroker = args.mqttBroker ?? fileBroker;
  const upnpIgd = args.upnpIgd ?? fileUpnpIgd;
  const time = timeSetting(args.time ?? fileTime, args.timeZoneFile ?? fileZone);
  const dhcpClient = args.dhcpClient ?? fileDhcpClient;
  const wifi = withFileHostapdConf(args.wifi, fileHostapdConf);
  const radvd = args.radvd ?? fileRadvd;
  const alarmCheckMs = args.alarmCheckMs ?? fileAlarmCheckMs;
  const services = mergeServiceSwitches(fileServices, args.services);
  // Holds the event loop open while the agent runs, even with no MTP enabled (an agent with no
  // reachable controller still keeps its state and timers; Node would otherwise exit with 13).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await supervise();
  } finally {
    clearInterval(keepAlive);
  }

  async function supervise(): Promise<void> {
    let bootRecord: BootRecord | undefined;
    for (;;) {
      current = undefined;
      starting = Agent.start({
        defaults,
        dataDir: args.dataDir,
        platform: args.platform,
        log,
        seed: args.seed,
        tls: args.tls,
        bootRecord,
        vendorPrefix: args.vendorPrefix,
        legacyCoap: args.legacyCoap,
        plugins,
        manageInterfaces,
        manageDns,
        packetCounters,
        nat,
        deviceImageDir,
        vendorLogFiles,
        time,
        wifi,
        dnsmasq,
        accessControl,
        firewall,
        mqttBroker,
        upnpIgd,
        dhcpClient,
        radvd,
        alarmCheckMs,
        services,
        ...args.firmware,
      });
      current = await starting;
      const reason = await current.stopped;
      if (reason.kind !== 'restart' || stopRequested) return;
      if (!current.restartsInProcess) {
        log.info('restart requested; exiting for the service manager to start the agent again', { cause: reason.cause, exitCode: EXIT_RESTART });
        process.exit(EXIT_RESTART);
      }
      bootRecord = { cause: reason.cause, commandKey: reason.commandKey };
      log.info('restarting in-process', { cause: reason.cause });
    }
  }
}

/**
 * `--seed`, read as text: yargs would turn `abc` into NaN and start anyway. Refused here, inside
 * the handler, so the message has the log format and the exit code is EXIT_START_FAILED.
 */
function parseSeed(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new Error(`--seed ${JSON.stringify(text)}: not a whole number; give one such as --seed 1`);
  return n;
}

/** The one line that says why the start failed, naming the option or path to fix. */
function startFailure(e: unknown): string {
  if (e instanceof DataDirError) return `--data-dir ${e.dir}: ${e.problem}; ${e.fix}`;
  return e instanceof Error ? e.message : String(e);
}

/** The `run` command handler, for the options yargs or parseRunFast() produced. */
async function runCommand(a: RunOptionValues): Promise<void> {
  try {
    const seed = a.seed === undefined ? undefined : parseSeed(a.seed);
    const tls = a.cert !== undefined || a.ca !== undefined ? { cert: a.cert, key: a.key, ca: a.ca } : undefined;
    await run({
      defaults: a.defaults,
      dataDir: a['data-dir'],
      platform: a.platform,
      logLevel: a['log-level'] as LogLevel,
      seed,
      tls,
      vendorPrefix: a['vendor-prefix'],
      legacyCoap: a['legacy-coap'],
      firmware: { firmwareHook: a['firmware-hook'], firmwareTrust: a['firmware-trust'], firmwareStaging: a['firmware-staging'] },
      plugins: a.plugin,
      manageInterfaces: a['manage-interfaces'] === undefined ? undefined : parseManageInterfacesOption(a['manage-interfaces']),
      manageDns: a['manage-dns'] === undefined ? undefined : checkManageDns(a['manage-dns'], '--manage-dns'),
      packetCounters: a['packet-counters'] === undefined ? undefined : parsePacketCountersOption(a['packet-counters']),
      nat: a.nat === undefined ? undefined : parseNatOption(a.nat),
      deviceImageDir: a['device-image-dir'] === undefined ? undefined : resolve(a['device-image-dir']),
      vendorLogFiles: a['vendor-log-file']?.map((f) => resolve(f)),
      time: a.time,
      timeZoneFile: a['time-zone-file'],
      wifi: wifiSetting(a.wifi, a['hostapd-dir'], a['hostapd-conf'], a['hostapd-global'], a['wpa-supplicant-dir'], a['wpa-supplicant-global']),
      dnsmasq: a.dnsmasq === undefined ? undefined : parseDnsmasqOption(a.dnsmasq),
      accessControl: a['access-control'] === undefined ? undefined : parseAccessControlOption(a['access-control']),
      firewall: a.firewall === undefined ? undefined : parseFirewallOption(a.firewall),
      mqttBroker: a['mqtt-broker'] === undefined ? undefined : parseMqttBrokerOption(a['mqtt-broker']),
      upnpIgd: a['upnp-igd'] === undefined ? undefined : parseUpnpIgdOption(a['upnp-igd']),
      dhcpClient: a['dhcp-client'] === undefined ? undefined : parseDhcpClientOption(a['dhcp-client']),
      radvd: a.radvd === undefined ? undefined : parseRadvdOption(a.radvd),
      alarmCheckMs: a['alarm-check-period'] === undefined ? undefined : parseAlarmCheckPeriod(a['alarm-check-period']),
      services: serviceSwitchesFromArgs(a),
    });
  } catch (e) {
    // After SIGTERM the signal handler exits 0 once the stop is done: a start it cut short is no failure.
    if (stopRequested) return;
    process.stderr.write(`level=error component=agent msg=${JSON.stringify(startFailure(e))}\n`);
    process.exit(EXIT_START_FAILED);
  }
}

/**
 * `usp-agent profiles --json | head`: the reader closes the pipe before the report is written, and
 * Node reports the EPIPE as an unhandled 'error' event with a stack trace. A Unix tool ends quietly
 * there (SIGPIPE), so the one-shot commands do too, with exit 0: nobody is left to read more.
 */
function endQuietlyWhenReaderLeaves(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

export async function main(argv: string[]): Promise<void> {
  // A well-formed `run` starts without loading yargs (memory and start-up: see run-fast-path.ts).
  const fast = parseRunFast(argv);
  if (fast) return runCommand(fast);
  endQuietlyWhenReaderLeaves();
  const { default: yargs } = await import('yargs');
  const withRun = yargs(argv)
    .scriptName('usp-agent')
    .command(
      'run',
      'start the USP agent',
      (y) =>
        y
          .option('defaults', { type: 'string', demandOption: true, describe: 'factory-defaults JSON file (TR-181 paths → values)' })
          .option('data-dir', { type: 'string', describe: 'directory for persistent state (omit: memory only)' })
          .option('platform', {
            type: 'string',
            default: 'auto' as PlatformName,
            describe: `data source for the TR-181 tree: auto (OpenWrt if detected, else Linux; ModemManager when mmcli answers), ${PLATFORM_NAMES.filter((n) => n !== 'auto').join(', ')}, or one a --plugin brings`,
          })
          .option('legacy-coap', { type: 'boolean', default: false, describe: 'serve the obsoleted CoAP MTP (USP 1.2 binding, plain CoAP only; configured through Device.LocalAgent.MTP.{i}.CoAP)' })
          .option('vendor-prefix', { type: 'string', describe: 'TR-106 vendor prefix for vendor parameters, e.g. X_EXAMPLE-COM_ (cellular SINR)' })
          .option('seed', { type: 'string', describe: 'seed of the simulated gateway (a whole number)' })
          .option('log-level', { type: 'string', default: 'info', describe: 'error | warn | info | debug' })
          .option('cert', { type: 'string', implies: 'key', describe: 'PEM certificate of the agent (leaf first, then any intermediates); its SAN should carry urn:bbf:usp:id:<EndpointID>' })
          .option('key', { type: 'string', implies: 'cert', describe: 'PEM private key of --cert (unencrypted)' })
          .option('ca', { type: 'string', describe: 'PEM CA certificate(s) that controller certificates must chain to (required for TLS MTPs)' })
          .option('firmware-hook', { type: 'string', describe: 'script that validates, installs and activates firmware images on a Linux device (contract: docs/firmware-hook.md)' })
          .option('firmware-trust', { type: 'string', describe: 'directory of PEM public keys/certificates: Download() then only takes images with a valid detached signature (URL + ".sig")' })
          .option('plugin', { type: 'string', array: true, describe: 'JavaScript module adding bindings, vendor parameters or backends (repeatable; INTEGRATING.md)' })
          .option('manage-interfaces', {
            type: 'string',
            describe: 'network interfaces controllers may reconfigure on Linux, comma-separated (* for all; default none: read-only)',
          })
          .option('manage-dns', {
            type: 'string',
            describe: 'resolv.conf file whose name servers controllers may change on Linux (Device.DNS.Client.Server; default none: read-only)',
          })
          .option('packet-counters', {
            type: 'string',
            describe: 'on | off: count unicast/broadcast/multicast packets per interface with nftables netdev hooks (Linux, OpenWrt; default on where nft runs with CAP_NET_ADMIN)',
          })
          .option('nat', {
            type: 'string',
            describe: "nftables | off: serve Device.NAT. (port mappings, masquerading) as the agent's own nftables table on Linux (default nftables where nft runs with CAP_NET_ADMIN)",
          })
          .option('device-image-dir', {
            type: 'string',
            describe: "directory of pictures of the device, front.png, back.jpg, ... (Device.DeviceInfo.DeviceImageFile.{i}.; default: the platform's own, if any)",
          })
          .option('vendor-log-file', {
            type: 'string',
            array: true,
            describe: "log file served as Device.DeviceInfo.VendorLogFile.{i}. for Upload() (repeatable; beside the platform's own: OpenWrt logread, the simulated syslog)",
          })
          .option('time', {
            type: 'string',
            describe: "chrony | off: serve Device.Time. (Time:2, Client.{i}) from chronyd on Linux, its sources in the agent's own sourcedir file (default chrony where chronyc answers)",
          })
          .option('time-zone-file', {
            type: 'string',
            describe: 'file a written Device.Time.LocalTimeZone goes to as a TZif file on Linux, e.g. /etc/localtime (default none: kept by the agent only)',
          })
          .option('wifi', {
            type: 'string',
            describe:
              'hostapd | off: serve Device.WiFi. (Radio, SSID, AccessPoint, AssociatedDevice) on Linux from hostapd_cli and iw; SSID, SSID Enable and Radio Channel written to hostapd (default hostapd where both are installed)',
          })
          .option('hostapd-dir', {
            type: 'string',
            describe: "hostapd's control directory (its ctrl_interface) on Linux (default /var/run/hostapd)",
          })
          .option('hostapd-global', {
            type: 'string',
            describe: "hostapd's global control interface (hostapd -g PATH) on Linux, through which a Controller's SSID and AccessPoint Add runs a BSS (default /var/run/hostapd-global)",
          })
          .option('hostapd-conf', {
            type: 'string',
            describe: "hostapd's configuration files on Linux, FILE[,FILE], read only for the settings its control interface cannot report (default: the files on the running hostapd's command line)",
          })
          .option('wpa-supplicant-dir', {
            type: 'string',
            describe: "wpa_supplicant's control directory (its ctrl_interface) on Linux, for Device.WiFi.EndPoint. (default /run/wpa_supplicant)",
          })
          .option('wpa-supplicant-global', {
            type: 'string',
            describe:
              "wpa_supplicant's global control interface (wpa_supplicant -g PATH) on Linux, through which a Controller's EndPoint Add/Delete runs a station (default none: no EndPoint Add/Delete)",
          })
          .option('dnsmasq', {
            type: 'string',
            describe:
              "on | off: serve Device.DNS.Relay. and Device.DHCPv4.Server. through the agent's own dnsmasq on Linux (default on where /usr/sbin/dnsmasq is installed and the agent runs as root)",
          })
          .option('access-control', {
            type: 'string',
            describe: "nftables | off: serve Device.Hosts.AccessControl. (per-device Internet access) as the agent's own nftables table on Linux (default nftables where nft runs with CAP_NET_ADMIN)",
          })
          .option('firewall', {
            type: 'string',
            describe:
              "nftables | off: serve Device.Firewall. (Enable, Config High/Low) as the agent's own nftables table on Linux (default nftables where nft runs with CAP_NET_ADMIN; off until a Controller enables it)",
          })
          .option('mqtt-broker', {
            type: 'string',
            describe: 'mosquitto | off: serve Device.MQTT.Broker.{i}. through a Mosquitto the agent runs on Linux and OpenWrt, one per enabled row (default off)',
          })
          .option('upnp-igd', {
            type: 'string',
            describe:
              "miniupnpd | off: serve Device.UPnP.Device. (the gateway's UPnP IGD) through a miniupnpd the agent runs on Linux, on the LAN side; on OpenWrt off hides the miniupnpd package's (default off on Linux)",
          })
          .option('dhcp-client', {
            type: 'string',
            describe:
              "udhcpc | off: serve Device.DHCPv4.Client.{i}. through busybox udhcpc children the agent runs on Linux, on interfaces of --manage-interfaces (default off: leave DHCP to the host's network manager)",
          })
          .option('radvd', {
            type: 'string',
            describe:
              "on | off: serve Device.RouterAdvertisement. through a radvd the agent runs on Linux; off leaves advertisements to the system's own radvd (default on where /usr/sbin/radvd is installed and the agent runs as root)",
          })
          .option('alarm-check-period', {
            type: 'string',
            describe: 'seconds (5 to 3600, or 30s, 5m, 1h) between checks of the alarm conditions the agent raises itself in Device.FaultMgmt. (default 30)',
          })
          .option('captive-portal', {
            type: 'string',
            describe: "on | off: serve Device.CaptivePortal. as the agent's own nftables table and redirect responder on Linux and OpenWrt (default on where nft runs with CAP_NET_ADMIN)",
          })
          .option('bridge-filter', {
            type: 'string',
            describe: "on | off: serve Device.Bridging.Filter. as the agent's own nftables table on Linux (default on where nft runs with CAP_NET_ADMIN)",
          })
          .option('qos', {
            type: 'string',
            describe: "on | off: serve Device.QoS. as the agent's own nftables table and tc queues on Linux and OpenWrt (default on where nft and tc run with CAP_NET_ADMIN)",
          })
          .option('firmware-staging', {
            type: 'string',
            describe: 'directory where downloaded images wait for validation (default /tmp/usp-agent-firmware on OpenWrt, DATA-DIR/firmware-staging elsewhere)',
          })
          .check((a) => {
            if (!isLogLevel(String(a['log-level']))) throw new Error('--log-level must be error, warn, info or debug');
            return true;
          })
          .example('$0 run --defaults examples/factory-defaults.json --data-dir ./.usp-data --platform simulated', 'the simulated gateway, state kept in ./.usp-data'),
      (a) => runCommand({ ...a, platform: a.platform as PlatformName }),
    );
  await fleetCommand(profilesCommand(watchAndSchemaCommands(dataCommands(withRun))))
    .completion(
      'completion',
      'print a bash/zsh completion script (usp-agent completion >> ~/.bashrc)',
      (current: string, _argv: unknown, defaults: (done?: (e: Error | null, list?: string[]) => void) => void, done: (list: string[]) => void) => {
        // TR-181 paths complete from the committed schema; commands and options as yargs knows them.
        if (!current.startsWith('D')) {
          defaults();
          return;
        }
        void import('./schema-paths.js').then(({ completePath }) => done(completePath(Schema.load(), current)));
      },
    )
    .demandCommand(1)
    .strict()
    .fail((msg, err, y) => {
      // A usage error: what was wrong, the command's help, exit 2 (scripts tell it from 1, a USP error).
      y.showHelp((text: string) => process.stderr.write(`${text}\n`));
      process.stderr.write(`\nusp-agent: ${msg || err?.message || 'usage error'}\n`);
      process.exit(EXIT_USAGE);
    })
    .help()
    .parseAsync();
}
