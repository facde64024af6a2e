#!/usr/bin/env node
// @ts-check
/**
 * The UCI configuration (/etc/config/usp-agent) as the agent's factory-defaults file: a JSON
 * object of TR-181 paths → values, the same file `usp-agent run --defaults` reads anywhere else.
 * Shipped in the OpenWrt package as /usr/lib/usp-agent/uci-defaults.mjs, run by
 * /usr/lib/usp-agent/usp-agent-start each time procd starts the agent. Plain Node with nothing
 * but built-ins, because the router has no node_modules.
 *
 *   uci-defaults.mjs --check                      reads `uci show usp-agent`, reports the first problem
 *   uci-defaults.mjs --out FILE [--data-dir DIR]  writes FILE; with DIR, applies the rule below
 *
 * The rule when UCI and the saved state disagree: the agent's saved state (DIR/state.json) wins
 * over the defaults file once it exists, so controller changes survive restarts. A UCI change is
 * what an operator makes to be obeyed, so when the translated configuration differs from the one
 * the saved state grew from (DIR/uci-defaults.json), the saved state is moved aside
 * (DIR/state.json.before-uci, one copy kept) and the agent starts from the new defaults, as after
 * a FactoryReset(). `option on_uci_change 'keep'` in the global section keeps the saved state
 * instead; UCI then applies only on a factory reset or a first start. A configuration that does
 * not translate is reported, and the agent starts from the last one that did (DIR/uci-defaults.json).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONFIG = 'usp-agent';

/** UCI's boolean spellings (config_get_bool). */
const TRUE = new Set(['1', 'yes', 'on', 'true', 'enabled']);
const FALSE = new Set(['0', 'no', 'off', 'false', 'disabled']);

/** A section as `uci show` lists it: type, name (`@type[n]` for anonymous ones), options. */
/** @typedef {{ type: string, name: string, anonymous: boolean, options: Map<string, string[]> }} Section */

/** Problem in the configuration: names the UCI option and what to do. */
export class UciConfigError extends Error {}

/**
 * Parses `uci show <config>` output: `cfg.section=type` and `cfg.section.option='value'` lines,
 * values single-quoted with `'\''` for a quote, list values as several quoted words.
 * @param {string} text
 * @returns {Section[]}
 */
export function parseUciShow(text) {
  /** @type {Map<string, Section>} */
  const sections = new Map();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^([^.=]+)\.((?:@[^\]]+\[-?\d+\])|[^.=]+)(?:\.([^=]+))?=(.*)$/.exec(line);
    if (!m) throw new UciConfigError(`cannot read this line of \`uci show ${CONFIG}\`: ${line}`);
    const [, , name, option, raw] = m;
    if (option === undefined) {
      sections.set(name, { type: raw, name, anonymous: name.startsWith('@'), options: new Map() });
      continue;
    }
    const section = sections.get(name);
    if (!section) throw new UciConfigError(`option before its section in \`uci show ${CONFIG}\`: ${line}`);
    section.options.set(option, unquoteWords(raw));
  }
  return [...sections.values()];
}

/**
 * `'a' 'b c'` → ["a", "b c"]; `'it'\''s'` → ["it's"]. Unquoted text is taken as it is.
 * @param {string} raw
 */
function unquoteWords(raw) {
  /** @type {string[]} */
  const words = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      if (end < 0) throw new UciConfigError(`unbalanced quote in \`uci show ${CONFIG}\` value: ${raw}`);
      word += raw.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '\\' && i + 1 < raw.length) {
      word += raw[++i];
      inWord = true;
    } else if (c === ' ') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Option → TR-181 parameter (relative to the section's object) and its kind, per section type.
 * Options that steer the init script (command-line options) map to null.
 * @type {Record<string, Record<string, [string, 'string' | 'bool'] | null>>}
 */
const OPTIONS = {
  global: {
    enabled: null,
    data_dir: null,
    platform: null,
    log_level: null,
    vendor_prefix: null,
    cert: null,
    key: null,
    ca: null,
    firmware_hook: null,
    firmware_trust: null,
    firmware_staging: null,
    plugin: null,
    manage_interface: null,
    manage_dns: null,
    packet_counters: null,
    mqtt_broker: null,
    upnp_igd: null,
    device_image_dir: null,
    vendor_log_file: null,
    alarm_check_period: null,
    captive_portal: null,
    bridge_filter: null,
    qos: null,
    wan_interface: null,
    on_uci_change: null,
    endpoint_id_interface: null,
    param: null,
    endpoint_id: ['EndpointID', 'string'],
  },
  mtp: {
    enabled: ['Enable', 'bool'],
    protocol: ['Protocol', 'string'],
    port: ['WebSocket.Port', 'string'],
    path: ['WebSocket.Path', 'string'],
    encryption: ['WebSocket.EnableEncryption', 'bool'],
    keepalive: ['WebSocket.KeepAliveInterval', 'string'],
    mqtt: null,
    response_topic: ['MQTT.ResponseTopicConfigured', 'string'],
  },
  mqtt: {
    enabled: ['Enable', 'bool'],
    broker_address: ['BrokerAddress', 'string'],
    broker_port: ['BrokerPort', 'string'],
    protocol_version: ['ProtocolVersion', 'string'],
    transport: ['TransportProtocol', 'string'],
    client_id: ['ClientID', 'string'],
    username: ['Username', 'string'],
    password: ['Password', 'string'],
    keepalive: ['KeepAliveTime', 'string'],
    will_enabled: ['WillEnable', 'bool'],
    will_topic: ['WillTopic', 'string'],
    will_value: ['WillValue', 'string'],
    will_qos: ['WillQoS', 'string'],
    will_retain: ['WillRetain', 'bool'],
    subscribe: null,
  },
  controller: {
    enabled: ['Enable', 'bool'],
    endpoint_id: ['EndpointID', 'string'],
    role: ['AssignedRole', 'string'],
    websocket_host: null,
    websocket_port: null,
    websocket_path: null,
    websocket_encryption: null,
    mqtt_topic: null,
  },
};

/** TR-181 Alias: starts with a letter, at most 64 characters (UCI names are [A-Za-z0-9_]). */
const ALIAS = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * The factory-defaults object for a parsed configuration. Sections of one type are numbered in
 * file order: the first `mtp` is Device.LocalAgent.MTP.1., the first `mqtt` Device.MQTT.Client.1.
 * @param {Section[]} sections
 * @param {{ macOf?: (iface: string) => string | undefined }} [env] where the Endpoint ID comes from when none is set
 * @returns {Record<string, string | boolean>}
 */
export function toDefaults(sections, env = {}) {
  /** @type {Record<string, string | boolean>} */
  const out = {};
  for (const s of sections) {
    if (!(s.type in OPTIONS)) throw new UciConfigError(`${CONFIG}.${s.name}: unknown section type '${s.type}'; use global, mtp, mqtt or controller`);
    for (const o of s.options.keys()) {
      if (!(o in OPTIONS[s.type])) throw new UciConfigError(`${CONFIG}.${s.name}.${o}: unknown option of a ${s.type} section; known: ${Object.keys(OPTIONS[s.type]).join(', ')}`);
    }
  }
  const ofType = (/** @type {string} */ t) => sections.filter((s) => s.type === t);
  const mqttNumber = new Map(ofType('mqtt').map((s, i) => [s.name, i + 1]));
  const global = ofType('global')[0];

  const put = (/** @type {Section} */ s, /** @type {string} */ base) => {
    if (s.type !== 'global' && !s.anonymous && ALIAS.test(s.name)) out[`${base}Alias`] = s.name;
    for (const [option, words] of s.options) {
      const target = OPTIONS[s.type][option];
      if (target) out[base + target[0]] = target[1] === 'bool' ? bool(s, option, words) : one(s, option, words);
    }
  };

  if (global) put(global, 'Device.LocalAgent.');
  if (!out['Device.LocalAgent.EndpointID']) out['Device.LocalAgent.EndpointID'] = derivedEndpointId(global, env);

  ofType('mqtt').forEach((s, i) => {
    const base = `Device.MQTT.Client.${i + 1}.`;
    put(s, base);
    (s.options.get('subscribe') ?? []).forEach((topic, j) => {
      out[`${base}Subscription.${j + 1}.Enable`] = true;
      out[`${base}Subscription.${j + 1}.Topic`] = topic;
    });
  });

  ofType('mtp').forEach((s, i) => {
    const base = `Device.LocalAgent.MTP.${i + 1}.`;
    put(s, base);
    const broker = s.options.get('mqtt');
    if (broker) {
      const n = mqttNumber.get(one(s, 'mqtt', broker));
      if (n === undefined)
        throw new UciConfigError(`${CONFIG}.${s.name}.mqtt: no mqtt section named '${broker[0]}'; name one of: ${[...mqttNumber.keys()].join(', ') || '(none: add a config mqtt section)'}`);
      out[`${base}MQTT.Reference`] = `Device.MQTT.Client.${n}`;
    }
  });

  ofType('controller').forEach((s, i) => {
    const base = `Device.LocalAgent.Controller.${i + 1}.`;
    if (!s.options.has('endpoint_id')) throw new UciConfigError(`${CONFIG}.${s.name}.endpoint_id: missing; give the controller's Endpoint ID, e.g. 'proto::acs'`);
    put(s, base);
    if (!s.options.has('role')) out[`${base}AssignedRole`] = 'Device.LocalAgent.ControllerTrust.Role.1';
    if (!s.options.has('enabled')) out[`${base}Enable`] = true;
    let j = 0;
    const host = s.options.get('websocket_host');
    if (host) {
      const mtp = `${base}MTP.${++j}.`;
      Object.assign(out, { [`${mtp}Enable`]: true, [`${mtp}Protocol`]: 'WebSocket', [`${mtp}WebSocket.Host`]: one(s, 'websocket_host', host) });
      const port = s.options.get('websocket_port');
      const path = s.options.get('websocket_path');
      const tls = s.options.get('websocket_encryption');
      if (port) out[`${mtp}WebSocket.Port`] = one(s, 'websocket_port', port);
      if (path) out[`${mtp}WebSocket.Path`] = one(s, 'websocket_path', path);
      if (tls) out[`${mtp}WebSocket.EnableEncryption`] = bool(s, 'websocket_encryption', tls);
    }
    const topic = s.options.get('mqtt_topic');
    if (topic) {
      const mtp = `${base}MTP.${j + 1}.`;
      Object.assign(out, { [`${mtp}Enable`]: true, [`${mtp}Protocol`]: 'MQTT', [`${mtp}MQTT.Topic`]: one(s, 'mqtt_topic', topic) });
    }
  });

  // `list param 'Device.X.Y=value'`: any other TR-181 setting, applied last so it can override.
  for (const entry of global?.options.get('param') ?? []) {
    const eq = entry.indexOf('=');
    if (!entry.startsWith('Device.') || eq < 0) throw new UciConfigError(`${CONFIG}.global.param: '${entry}' is not 'Device.Path.To.Parameter=value'`);
    out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/**
 * @param {Section} s
 * @param {string} option
 * @param {string[]} words
 */
function one(s, option, words) {
  if (words.length !== 1) throw new UciConfigError(`${CONFIG}.${s.name}.${option}: a single value is expected (an option, not a list)`);
  return words[0];
}

/**
 * @param {Section} s
 * @param {string} option
 * @param {string[]} words
 */
function bool(s, option, words) {
  const v = one(s, option, words).toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new UciConfigError(`${CONFIG}.${s.name}.${option}: '${v}' is not a boolean; use '1' or '0'`);
}

/**
 * TR-369 `os::` authority scheme: `os::<OUI>-<serial>`, with the interface's MAC address (unique
 * per device, on every OpenWrt board) as the serial.
 * @param {Section | undefined} global
 * @param {{ macOf?: (iface: string) => string | undefined }} env
 */
function derivedEndpointId(global, env) {
  const iface = global?.options.get('endpoint_id_interface')?.[0] ?? 'br-lan';
  const mac = (env.macOf ?? macFromSysfs)(iface)?.trim().toLowerCase();
  if (!mac || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac) || mac === '00:00:00:00:00:00') {
    throw new UciConfigError(
      `${CONFIG}.global.endpoint_id: not set, and no MAC address on interface '${iface}' to derive one from; set endpoint_id (e.g. 'os::012345-serial') or endpoint_id_interface`,
    );
  }
  const hex = mac.replaceAll(':', '').toUpperCase();
  return `os::${hex.slice(0, 6)}-${hex}`;
}

/** @param {string} iface */
function macFromSysfs(iface) {
  try {
    return readFileSync(`/sys/class/net/${iface}/address`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Applies the UCI-versus-saved-state rule (module comment) in the data directory and records the
 * defaults the saved state now grows from. Returns what was done, for the log.
 * @param {string} dataDir
 * @param {string} json the new defaults file's text
 * @param {'reset' | 'keep'} onChange
 * @returns {'first' | 'unchanged' | 'reset' | 'kept'}
 */
export function applyUciChangeRule(dataDir, json, onChange) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const applied = join(dataDir, 'uci-defaults.json');
  const state = join(dataDir, 'state.json');
  const before = existsSync(applied) ? readFileSync(applied, 'utf8') : undefined;
  /** @type {'first' | 'unchanged' | 'reset' | 'kept'} */
  let outcome = 'unchanged';
  // No record of what the saved state grew from (a first start, or an agent installed before
  // this rule): keep the state; from now on changes are tracked.
  if (before === undefined || !existsSync(state)) outcome = 'first';
  else if (before !== json) {
    if (onChange === 'keep') outcome = 'kept';
    else {
      renameSync(state, join(dataDir, 'state.json.before-uci'));
      outcome = 'reset';
    }
  }
  writeAtomically(applied, json);
  return outcome;
}

/**
 * @param {string} file
 * @param {string} text
 */
function writeAtomically(file, text) {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  // 0600: MQTT passwords may be in it.
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}

/** @param {string[]} argv */
function main(argv) {
  const arg = (/** @type {string} */ name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const check = argv.includes('--check');
  const outFile = arg('--out');
  const dataDir = arg('--data-dir');
  if (!check && !outFile) {
    process.stderr.write('usage: uci-defaults.mjs --check | --out FILE [--data-dir DIR]\n');
    return 2;
  }
  try {
    let text;
    try {
      text = execFileSync('uci', ['-q', 'show', CONFIG], { encoding: 'utf8' });
    } catch (e) {
      throw new UciConfigError(`\`uci show ${CONFIG}\` failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); is /etc/config/${CONFIG} there?`);
    }
    const sections = parseUciShow(text);
    const json = `${JSON.stringify(toDefaults(sections), null, 2)}\n`;
    if (check) return 0;
    if (dataDir) {
      const global = sections.find((s) => s.type === 'global');
      const onChange = global?.options.get('on_uci_change')?.[0] ?? 'reset';
      if (onChange !== 'reset' && onChange !== 'keep') throw new UciConfigError(`${CONFIG}.global.on_uci_change: '${onChange}'; use 'reset' or 'keep'`);
      const outcome = applyUciChangeRule(dataDir, json, onChange);
      if (outcome === 'reset') log('warn', `/etc/config/${CONFIG} changed: saved state moved to ${join(dataDir, 'state.json.before-uci')}; starting from the new configuration`);
      if (outcome === 'kept') log('warn', `/etc/config/${CONFIG} changed but on_uci_change is 'keep': the saved state wins; the new configuration applies after a factory reset`);
    }
    writeAtomically(/** @type {string} */ (outFile), json);
    return 0;
  } catch (e) {
    if (!(e instanceof UciConfigError)) throw e;
    log('error', `/etc/config/${CONFIG}: ${e.message}`);
    // A typo in UCI must not cut a managed router off from its controllers: start from the last
    // configuration that translated, when there is one.
    const lastGood = dataDir ? join(dataDir, 'uci-defaults.json') : undefined;
    if (check || !lastGood || !existsSync(lastGood)) return 2;
    writeAtomically(/** @type {string} */ (outFile), readFileSync(lastGood, 'utf8'));
    log('warn', `starting from the last configuration that translated (${lastGood}) until /etc/config/${CONFIG} is fixed`);
    return 0;
  }
}

/**
 * The agent's log line format, so logd shows one style.
 * @param {'warn' | 'error'} level
 * @param {string} msg
 */
function log(level, msg) {
  process.stderr.write(`level=${level} component=uci-defaults msg=${JSON.stringify(msg)}\n`);
}

// Run as a program (not imported by a test): argv[1] is this file.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
