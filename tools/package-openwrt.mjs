#!/usr/bin/env node
// @ts-check
/**
 * `npm run package:openwrt`: builds build/openwrt/usp-agent_<version>-<release>_all.ipk for
 * OpenWrt 24.10 (opkg) without the SDK, from the built bundle (npm run build) and openwrt/files/.
 *
 * The format is what OpenWrt's own ipkg-build writes: a gzip'd tar (not ar; opkg reads both)
 * holding ./debian-binary, ./data.tar.gz and ./control.tar.gz, each tar with ./-relative names
 * owned by root. The tars are written by tools/tar-writer.mjs and gzip'd by node:zlib, so the
 * result does not depend on the host's tar. The staged tree (build/openwrt/root/) is kept: the
 * feed Makefile (openwrt/Makefile) installs that same tree, so both routes ship the same files.
 *
 *   node tools/package-openwrt.mjs [--out DIR]     (default build/openwrt)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { tar } from './tar-writer.mjs';

const REPO = fileURLToPath(new URL('../', import.meta.url));
/** The ipk a router downloads and stores: the bound the issue sets. */
export const MAX_IPK_BYTES = 1024 * 1024;
/** Where the agent lives on the router. */
const LIB = 'usr/lib/usp-agent';
/** Optional native add-ons of ws, loaded in a try/catch: pure JavaScript runs without them. */
const OPTIONAL_EXTERNALS = new Set(['bufferutil', 'utf-8-validate']);

/** @typedef {{ path: string, data: Buffer, mode: number }} StagedFile */

/** @param {string} rel */
const repoFile = (rel) => readFileSync(join(REPO, rel));

/** The bundle built for the package: without the generic Linux platform (tools/bundle.mjs). */
const OPENWRT_BUNDLE = 'usp-agent.openwrt.cjs';

/** How the bundle names the chunks it requires by path (tools/bundle.mjs: protobufjs, yargs, mqtt...). */
const REQUIRED_BY_PATH = /["']dist\/(chunks\/[\w.-]+\.cjs)["']/g;

/**
 * The bundle and every chunk it loads, found by following require() and import() specifiers and
 * the chunk paths it requires through the package root, from the package's bundle: stale files
 * in dist/ stay out. Fails when the bundle needs a package that is not a Node built-in (the
 * router has no node_modules). The V8 code cache (bin/code-cache.js) is never shipped: it holds
 * only for the Node binary that wrote it, so the router writes its own at the first start.
 * @returns {string[]} paths relative to dist/
 */
export function bundleFiles() {
  const entry = OPENWRT_BUNDLE;
  if (!existsSync(join(REPO, 'dist', entry))) throw new Error(`dist/${entry} is missing: run \`npm run build\` first`);
  const required = [...readFileSync(join(REPO, 'dist', entry), 'utf8').matchAll(REQUIRED_BY_PATH)].map((m) => m[1]);
  if (required.length === 0) throw new Error(`dist/${entry} requires no chunk by path: tools/bundle.mjs changed, update REQUIRED_BY_PATH`);
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const seen = new Set([entry, ...required]);
  const todo = [entry, ...required];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    const text = readFileSync(join(REPO, 'dist', file), 'utf8');
    // Specifiers only (word characters, @ . / : -): minified code also holds strings such as
    // protobufjs's parser keyword "import" and package.json text ("eslint-plugin-import":"…").
    for (const m of text.matchAll(/(?<![\w$."'-])(?:from|import)\s*\(?\s*["']([\w@./:-]+)["']|(?<![\w$."'-])require\(\s*["']([\w@./:-]+)["']\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(file), spec));
        if (!seen.has(target)) {
          seen.add(target);
          todo.push(target);
        }
      } else if (!builtins.has(spec) && !OPTIONAL_EXTERNALS.has(spec)) {
        throw new Error(`dist/${file} imports '${spec}', which is not a Node built-in: the package would need node_modules`);
      }
    }
  }
  return [...seen].sort();
}

/** @returns {{ version: string, release: string }} */
function versions() {
  const version = /** @type {{ version: string }} */ (JSON.parse(repoFile('package.json').toString())).version;
  const makefile = repoFile('openwrt/Makefile').toString();
  const pkgVersion = /^PKG_VERSION:=(.+)$/m.exec(makefile)?.[1].trim();
  const release = /^PKG_RELEASE:=(.+)$/m.exec(makefile)?.[1].trim();
  if (pkgVersion !== version) throw new Error(`openwrt/Makefile PKG_VERSION ${pkgVersion} differs from package.json version ${version}: make them equal`);
  if (!release) throw new Error('openwrt/Makefile has no PKG_RELEASE');
  return { version, release };
}

/** @param {string} version */
function stagedFiles(version) {
  /** @type {StagedFile[]} */
  const files = [];
  const add = (/** @type {string} */ path, /** @type {Buffer} */ data, mode = 0o644) => files.push({ path, data, mode });
  add('etc/config/usp-agent', repoFile('openwrt/files/usp-agent.config'), 0o600);
  add('etc/init.d/usp-agent', repoFile('openwrt/files/usp-agent.init'), 0o755);
  // busybox ntpd's sync events, for Device.Time.Status (sourced by hotplug-call: not executable).
  add('etc/hotplug.d/ntp/25-usp-agent', repoFile('openwrt/files/usp-agent.ntp-hotplug'));
  // The DHCPv4 options LAN clients send to dnsmasq, for Bridging.Filter (run by procd's hotplug.dhcp: not executable).
  add('etc/hotplug.d/dhcp/50-usp-agent', repoFile('openwrt/files/usp-agent.dhcp-hotplug'));
  // DHCPv4 option 125 of netifd's leases, for Device.GatewayInfo (sourced by dhcp.script: not executable).
  add('etc/udhcpc.user.d/usp-agent', repoFile('openwrt/files/usp-agent.udhcpc-user'));
  // sysupgrade keeps /etc/config by itself; the saved state and certificates need naming.
  add('lib/upgrade/keep.d/usp-agent', Buffer.from('/etc/usp-agent/\n'));
  add('usr/bin/usp-agent', repoFile('openwrt/files/usp-agent.sh'), 0o755);
  // The package root the agent looks for (datamodel/package-root.ts): name and version only.
  add(`${LIB}/package.json`, Buffer.from(`${JSON.stringify({ name: 'usp-agent', version, type: 'module', license: 'BSD-3-Clause' }, null, 2)}\n`));
  add(`${LIB}/bin/usp-agent.js`, repoFile('bin/usp-agent.js'), 0o755);
  add(`${LIB}/bin/code-cache.js`, repoFile('bin/code-cache.js'));
  add(`${LIB}/bin/package.json`, repoFile('bin/package.json')); // the launcher is CommonJS
  // The OpenWrt build of the bundle goes where the launcher looks for the bundle.
  for (const f of bundleFiles()) add(`${LIB}/dist/${f === OPENWRT_BUNDLE ? 'usp-agent.cjs' : f}`, repoFile(`dist/${f}`));
  add(`${LIB}/datamodel/schema/tr181-schema.json`, repoFile('datamodel/schema/tr181-schema.json'));
  // Not tr181-descriptions.json: only `usp-agent schema PATH` reads it (never the running agent),
  // and its ~170 KB took the ipk over the 1 MiB bound; `schema` then says it is not installed.
  add(`${LIB}/datamodel/schema/tr181-profiles.json`, repoFile('datamodel/schema/tr181-profiles.json'));
  for (const p of ['usp-record.proto', 'usp-msg.proto']) add(`${LIB}/agent/codec/proto/${p}`, repoFile(`agent/codec/proto/${p}`));
  add(`${LIB}/uci-defaults.mjs`, repoFile('openwrt/files/uci-defaults.mjs'), 0o755);
  add(`${LIB}/usp-agent-start`, repoFile('openwrt/files/usp-agent-start'), 0o755);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * tar entries for files under "./", with every parent directory listed once before its files.
 * @param {StagedFile[]} files
 * @returns {import('./tar-writer.mjs').TarEntry[]}
 */
function withDirectories(files) {
  /** @type {import('./tar-writer.mjs').TarEntry[]} */
  const entries = [{ name: './', type: 'dir' }];
  const dirs = new Set();
  for (const f of files) {
    const parts = f.path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ name: `./${d}/`, type: 'dir' });
      }
    }
    entries.push({ name: `./${f.path}`, type: 'file', data: f.data, mode: f.mode });
  }
  return entries;
}

/**
 * @param {{ version: string, installedSize: number, epoch: number }} c
 */
function controlFile(c) {
  return [
    'Package: usp-agent',
    `Version: ${c.version}`,
    'Depends: libc, node',
    'SourceName: usp-agent',
    'License: BSD-3-Clause',
    'Section: net',
    `SourceDateEpoch: ${c.epoch}`,
    'Architecture: all',
    `Installed-Size: ${c.installedSize}`,
    'Description:  TR-369 (USP) agent serving the TR-181 Device:2 data model to USP Controllers',
    ' over WebSocket, MQTT and Unix domain sockets; live data from ubus, UCI and ModemManager.',
    '',
  ].join('\n');
}

// The scripts OpenWrt's package build writes: enable and start the init script on install,
// stop and disable it on removal (default_postinst/default_prerm of /lib/functions.sh).
// dnsmasq.init passes --dhcp-script only when a dhcp hotplug handler exists as it starts: the
// reload restarts dnsmasq once, when the handler is new (procd restarts it only if its configuration changed).
const POSTINST =
  '#!/bin/sh\n[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_postinst $0 $@\n' +
  'ret=$?\n[ -z "${IPKG_INSTROOT}" ] && [ -x /etc/init.d/dnsmasq ] && /etc/init.d/dnsmasq running && /etc/init.d/dnsmasq reload\nexit $ret\n';
const PRERM = '#!/bin/sh\n[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n. ${IPKG_INSTROOT}/lib/functions.sh\ndefault_prerm $0 $@\n';

/** Fixed timestamps make the same sources give the same ipk: SOURCE_DATE_EPOCH, else the last commit. */
function sourceDateEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: REPO, encoding: 'utf8' }).trim());
  } catch {
    return Math.floor(Date.now() / 1000);
  }
}

/**
 * Builds the ipk into `outDir` and stages its data tree in `outDir`/root.
 * @param {string} outDir
 * @returns {{ ipk: string, bytes: number, version: string }}
 */
export function buildIpk(outDir) {
  const { version, release } = versions();
  const fullVersion = `${version}-${release}`;
  const epoch = sourceDateEpoch();
  const files = stagedFiles(version);

  const root = join(outDir, 'root');
  rmSync(root, { recursive: true, force: true });
  for (const f of files) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.data, { mode: f.mode });
  }

  const gz = (/** @type {Buffer} */ b) => gzipSync(b, { level: 9 });
  const dataTar = tar(withDirectories(files), epoch);
  const data = gz(dataTar);
  // What ipkg-build writes: the size of the uncompressed data.tar.
  const installedSize = dataTar.length;
  const control = gz(
    tar(
      [
        { name: './', type: 'dir' },
        { name: './control', type: 'file', data: Buffer.from(controlFile({ version: fullVersion, installedSize, epoch })) },
        { name: './conffiles', type: 'file', data: Buffer.from('/etc/config/usp-agent\n') },
        { name: './postinst', type: 'file', data: Buffer.from(POSTINST), mode: 0o755 },
        { name: './prerm', type: 'file', data: Buffer.from(PRERM), mode: 0o755 },
      ],
      epoch,
    ),
  );
  const ipkBytes = gz(
    tar(
      [
        { name: './debian-binary', type: 'file', data: Buffer.from('2.0\n') },
        { name: './data.tar.gz', type: 'file', data },
        { name: './control.tar.gz', type: 'file', data: control },
      ],
      epoch,
    ),
  );
  if (ipkBytes.length > MAX_IPK_BYTES) throw new Error(`the ipk is ${ipkBytes.length} bytes, over the ${MAX_IPK_BYTES}-byte bound`);
  const ipk = join(outDir, `usp-agent_${fullVersion}_all.ipk`);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(ipk, ipkBytes);
  return { ipk, bytes: ipkBytes.length, version: fullVersion };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? process.argv[i + 1] : join(REPO, 'build', 'openwrt');
  try {
    const r = buildIpk(out);
    process.stdout.write(`${r.ipk} (${r.bytes} bytes, version ${r.version})\n`);
  } catch (e) {
    process.stderr.write(`package:openwrt: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
