/**
 * The OpenWrt package as a router gets it: `tools/package-openwrt.mjs` builds the ipk (needs
 * `npm run build` first, like every process test), GNU tar unpacks it (an independent reader of
 * our tar/gzip), and the unpacked tree, copied outside the repository where no node_modules can
 * be found, runs on plain Node: the agent answers a real controller and stops on SIGTERM. The
 * UCI translation runs against a `uci` stand-in that replays `uci show usp-agent` output
 * (test/fixtures/openwrt/uci-show-usp-agent.txt) and the agent starts from its result.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../peers/agent-process.js';
import { asResponse, freePort, TestController } from '../peers/TestController.js';

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const FIXTURE = readFileSync(join(REPO, 'test/fixtures/openwrt/uci-show-usp-agent.txt'), 'utf8');
const LIB = 'usr/lib/usp-agent';

let work: string;
let ipk: string;
/** The unpacked data.tar.gz: the files as installed under /. */
let root: string;
let control: string;

beforeAll(() => {
  // Outside the repository: nothing above it holds node_modules.
  work = mkdtempSync(join(tmpdir(), 'usp-agent-ipk-'));
  const out = join(work, 'out');
  execFileSync(process.execPath, [join(REPO, 'tools/package-openwrt.mjs'), '--out', out], { stdio: 'pipe' });
  ipk = join(out, `usp-agent_${VERSION}-1_all.ipk`);
  const outer = join(work, 'outer');
  root = join(work, 'root');
  control = join(work, 'control');
  for (const d of [outer, root, control]) execFileSync('mkdir', ['-p', d]);
  execFileSync('tar', ['xzf', ipk, '-C', outer]);
  execFileSync('tar', ['xzf', join(outer, 'data.tar.gz'), '-C', root]);
  execFileSync('tar', ['xzf', join(outer, 'control.tar.gz'), '-C', control]);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every path under `dir`, relative, directories with a trailing slash. */
function walk(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base)).flatMap((name) => {
    const rel = base ? `${base}/${name}` : name;
    return statSync(join(dir, rel)).isDirectory() ? [`${rel}/`, ...walk(dir, rel)] : [rel];
  });
}

describe('the ipk', () => {
  it("is a gzip'd tar of debian-binary, data.tar.gz and control.tar.gz, at most 1 MiB", () => {
    expect(statSync(ipk).size).toBeLessThanOrEqual(1024 * 1024);
    expect(execFileSync('tar', ['tzf', ipk], { encoding: 'utf8' }).trim().split('\n')).toEqual(['./debian-binary', './data.tar.gz', './control.tar.gz']);
    expect(readFileSync(join(work, 'outer', 'debian-binary'), 'utf8')).toBe('2.0\n');
    // Owned by root, as opkg installs them.
    expect(
      execFileSync('tar', ['tzvf', join(work, 'outer', 'data.tar.gz')], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .every((l) => l.includes('root/root')),
    ).toBe(true);
  });

  it('carries the control fields opkg reads, the UCI config as a conffile and the install scripts', () => {
    const fields = Object.fromEntries(
      readFileSync(join(control, 'control'), 'utf8')
        .split('\n')
        .filter((l) => /^\S+: /.test(l))
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
    );
    expect(fields).toMatchObject({ Package: 'usp-agent', Version: `${VERSION}-1`, Architecture: 'all', Depends: 'libc, node', License: 'BSD-3-Clause', Section: 'net' });
    // ipkg-build's measure: the uncompressed data.tar.
    expect(Number(fields['Installed-Size'])).toBe(gunzipSync(readFileSync(join(work, 'outer', 'data.tar.gz'))).length);
    expect(readFileSync(join(control, 'conffiles'), 'utf8')).toBe('/etc/config/usp-agent\n');
    for (const s of ['postinst', 'prerm']) {
      expect(statSync(join(control, s)).mode & 0o111).not.toBe(0);
      expect(readFileSync(join(control, s), 'utf8')).toMatch(/^#!\/bin\/sh\n[\s\S]*default_(postinst|prerm)/);
    }
  });

  it('installs the agent under /usr/lib/usp-agent with the schema and protos, the command, the init script and the UCI config, and no node_modules', () => {
    const files = walk(root);
    for (const f of [
      'usr/bin/usp-agent',
      'etc/init.d/usp-agent',
      'etc/config/usp-agent',
      'etc/hotplug.d/ntp/25-usp-agent',
      'etc/hotplug.d/dhcp/50-usp-agent',
      'etc/udhcpc.user.d/usp-agent',
      `${LIB}/bin/usp-agent.js`,
      `${LIB}/bin/code-cache.js`,
      `${LIB}/bin/package.json`,
      `${LIB}/dist/usp-agent.cjs`,
      `${LIB}/package.json`,
      `${LIB}/datamodel/schema/tr181-schema.json`,
      `${LIB}/agent/codec/proto/usp-record.proto`,
      `${LIB}/agent/codec/proto/usp-msg.proto`,
      `${LIB}/uci-defaults.mjs`,
      `${LIB}/usp-agent-start`,
    ]) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => f.includes('node_modules'))).toEqual([]);
    // The descriptions only `usp-agent schema` reads stay out: they would take the ipk over 1 MiB.
    expect(files).not.toContain(`${LIB}/datamodel/schema/tr181-descriptions.json`);
    // The V8 code cache holds only for the Node binary that wrote it: the router writes its own.
    expect(files.filter((f) => f.endsWith('.v8cache'))).toEqual([]);
    for (const x of ['usr/bin/usp-agent', 'etc/init.d/usp-agent', `${LIB}/usp-agent-start`]) expect(statSync(join(root, x)).mode & 0o777, x).toBe(0o755);
    // UCI may hold an MQTT password.
    expect(statSync(join(root, 'etc/config/usp-agent')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(root, 'etc/init.d/usp-agent'), 'utf8')).toMatch(
      /^#!\/bin\/sh \/etc\/rc.common\n[\s\S]*USE_PROCD=1[\s\S]*procd_set_param respawn[\s\S]*procd_add_reload_trigger usp-agent[\s\S]*procd_add_interface_trigger "interface\.\*\.up"/,
    );
  });

  it('ships shell scripts a POSIX sh parses (OpenWrt has ash, not bash)', () => {
    for (const x of ['usr/bin/usp-agent', 'etc/init.d/usp-agent', `${LIB}/usp-agent-start`, 'etc/hotplug.d/dhcp/50-usp-agent']) execFileSync('sh', ['-n', join(root, x)]);
    // The dhcp hotplug handler takes effect once dnsmasq restarts with --dhcp-script: the postinst reloads it.
    execFileSync('sh', ['-n', join(control, 'postinst')]);
    expect(readFileSync(join(control, 'postinst'), 'utf8')).toMatch(/default_postinst \$0 \$@\nret=\$\?\n.*\/etc\/init\.d\/dnsmasq running && \/etc\/init\.d\/dnsmasq reload\nexit \$ret\n$/);
  });
});

/** A process of the unpacked tree, its output lines kept for assertions. */
class Proc {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private wake: Array<() => void> = [];
  constructor(readonly child: ChildProcess) {
    for (const s of [child.stdout!, child.stderr!])
      createInterface({ input: s }).on('line', (l) => {
        this.lines.push(l);
        this.wake.splice(0).forEach((w) => w());
      });
    this.exited = new Promise((r) =>
      child.once('exit', (code) => {
        r(code);
        this.wake.splice(0).forEach((w) => w());
      }),
    );
  }
  async waitFor(re: RegExp): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit) return hit;
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`no line matching ${re}:\n${this.lines.join('\n')}`);
      await new Promise<void>((r) => {
        this.wake.push(r);
        setTimeout(r, 200);
      });
    }
  }
  async terminate(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

const procs: Proc[] = [];
afterEach(async () => {
  for (const p of procs.splice(0))
    if (p.child.exitCode === null) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
});

/** Runs `file` (a shell script of the package) with sh, as procd or a user would, in a clean environment. */
function runScript(file: string, args: string[], env: Record<string, string> = {}): Proc {
  const p = new Proc(spawn('sh', [file, ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, ...env } }));
  procs.push(p);
  return p;
}

/** A copy of the installed tree in its own temp dir, as on a router: the package's files only. */
function installedCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'usp-agent-router-'));
  cpSync(root, dir, { recursive: true });
  for (let d = dir; d !== dirname(d); d = dirname(d)) expect(existsSync(join(d, 'node_modules')), `${d}/node_modules`).toBe(false);
  return dir;
}

async function getValue(c: TestController, path: string): Promise<string | undefined> {
  const r = asResponse(await c.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(JSON.stringify(r));
  const [res] = r.getResp.reqPathResults;
  const param = path.slice(path.lastIndexOf('.') + 1);
  return res.resolvedPathResults?.[0]?.resultParams[param];
}

describe('the unpacked package on plain Node', () => {
  it('runs `usp-agent run` from /usr/bin/usp-agent with no node_modules, answers a controller, and exits 0 on SIGTERM', async () => {
    const dir = installedCopy();
    try {
      const port = await freePort();
      const defaults = join(dir, 'defaults.json');
      const example = JSON.parse(readFileSync(join(REPO, 'examples/factory-defaults.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(defaults, JSON.stringify({ ...example, 'Device.LocalAgent.MTP.1.WebSocket.Port': port }));
      const agent = runScript(join(dir, 'usr/bin/usp-agent'), ['run', '--defaults', defaults, '--data-dir', join(dir, 'data'), '--platform', 'simulated']);
      await agent.waitFor(/websocket server listening/);
      const c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, 'proto::controller-1', 'proto::usp-agent-sim');
      expect(await getValue(c, 'Device.LocalAgent.SoftwareVersion')).toBe(VERSION);
      expect(await getValue(c, 'Device.WiFi.Radio.2.SupportedFrequencyBands')).toBe('5GHz');
      await c.close();
      expect(await agent.terminate()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('`--platform linux` is not in the package: the start fails saying so (exit 2), as a router runs openwrt', async () => {
    const dir = installedCopy();
    try {
      const defaults = join(dir, 'defaults.json');
      writeFileSync(defaults, readFileSync(join(REPO, 'examples/factory-defaults.json')));
      const agent = runScript(join(dir, 'usr/bin/usp-agent'), ['run', '--defaults', defaults, '--platform', 'linux']);
      await agent.waitFor(/--platform linux is not in the OpenWrt package/);
      expect(await agent.exited).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('`usp-agent schema PATH` from /usr/bin/usp-agent describes the path from the schema and says the descriptions are not installed', async () => {
    const dir = installedCopy();
    try {
      const cli = runScript(join(dir, 'usr/bin/usp-agent'), ['schema', 'Device.DeviceInfo.SerialNumber']);
      await cli.waitFor(/^ {2}description +not installed \(this package leaves out datamodel\/schema\/tr181-descriptions\.json\)$/);
      expect(await cli.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('UCI to factory defaults', () => {
  /** A `uci` on PATH that answers `uci -q show usp-agent` with `text`, as the router's would. */
  function uciStandIn(dir: string, text: string): string {
    const bin = join(dir, 'standin-bin');
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(join(dir, 'uci-show.txt'), text);
    writeFileSync(join(bin, 'uci'), `#!/bin/sh\n[ "$*" = "-q show usp-agent" ] || { echo "uci stand-in: unexpected: uci $*" >&2; exit 1; }\ncat '${join(dir, 'uci-show.txt')}'\n`);
    chmodSync(join(bin, 'uci'), 0o755);
    return `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`;
  }

  /**
   * The installed tree's start wrapper as procd runs it, on a UCI configuration (the fixture,
   * listening on a free port): `start(text)` runs it with `text` as `uci show` output.
   */
  async function startWrapper(dir: string): Promise<{ port: number; uci: string; data: string; start: (text: string) => Proc }> {
    const port = await freePort();
    const uci = FIXTURE.replace("usp-agent.ws.port='9001'", `usp-agent.ws.port='${port}'`);
    const data = join(dir, 'etc/usp-agent');
    const defaults = join(dir, 'var/etc/usp-agent/factory-defaults.json');
    const start = (text: string): Proc => runScript(join(dir, LIB, 'usp-agent-start'), [defaults, data, '--platform', 'simulated'], { PATH: uciStandIn(dir, text) });
    return { port, uci, data, start };
  }

  it('turns `uci show usp-agent` into the defaults file and the agent starts from it: the controller, MTP and MQTT settings are served', async () => {
    const dir = installedCopy();
    try {
      const port = await freePort();
      const PATH = uciStandIn(dir, FIXTURE.replace("usp-agent.ws.port='9001'", `usp-agent.ws.port='${port}'`));
      const defaults = join(dir, 'var/etc/usp-agent/factory-defaults.json');
      const agent = runScript(join(dir, LIB, 'usp-agent-start'), [defaults, join(dir, 'etc/usp-agent'), '--platform', 'simulated'], { PATH });
      await agent.waitFor(/websocket server listening/);
      expect(JSON.parse(readFileSync(defaults, 'utf8'))).toMatchObject({
        'Device.LocalAgent.EndpointID': 'os::0A1B2C-0A1B2C3D4E5F',
        'Device.LocalAgent.MTP.1.Alias': 'ws',
        'Device.LocalAgent.MTP.1.WebSocket.Port': String(port),
        'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption': false,
        'Device.MQTT.Client.1.Password': "it's secret",
        'Device.MQTT.Client.1.Subscription.2.Topic': '/usp/agent/broadcast',
        'Device.LocalAgent.MTP.2.MQTT.Reference': 'Device.MQTT.Client.1',
        'Device.LocalAgent.Controller.2.MTP.1.WebSocket.Host': 'acs.example.net',
        'Device.LocalAgent.Controller.2.MTP.2.MQTT.Topic': '/usp/controller',
        'Device.DeviceInfo.ProvisioningCode': 'ISP-A:lab',
      });
      expect(statSync(defaults).mode & 0o777).toBe(0o600);
      const c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, 'proto::controller-1', 'os::0A1B2C-0A1B2C3D4E5F');
      expect(await getValue(c, 'Device.LocalAgent.Controller.1.Alias')).toBe('acs');
      expect(await getValue(c, 'Device.LocalAgent.Controller.1.PeriodicNotifInterval')).toBe('300');
      expect(await getValue(c, 'Device.LocalAgent.Controller.2.EndpointID')).toBe('proto::acs.example.net');
      expect(await getValue(c, 'Device.MQTT.Client.1.BrokerAddress')).toBe('broker.example.net');
      expect(await getValue(c, 'Device.LocalAgent.MTP.2.MQTT.ResponseTopicConfigured')).toBe('/usp/agent');
      await c.close();
      expect(await agent.terminate()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a changed UCI configuration wins over the saved state (kept as state.json.before-uci); an unchanged one keeps what controllers set', async () => {
    const dir = installedCopy();
    try {
      const { port, uci, data, start: wrapper } = await startWrapper(dir);
      const url = `ws://127.0.0.1:${port}/usp`;
      const start = async (text: string): Promise<{ agent: Proc; c: TestController }> => {
        const agent = wrapper(text);
        await agent.waitFor(/websocket server listening/);
        return { agent, c: await TestController.connect(url, 'proto::controller-1', 'os::0A1B2C-0A1B2C3D4E5F') };
      };
      const stop = async (s: { agent: Proc; c: TestController }): Promise<void> => {
        await s.c.close();
        expect(await s.agent.terminate()).toBe(0);
      };

      let s = await start(uci);
      const set = asResponse(
        await s.c.send({
          reqType: 'set',
          set: { allowPartial: false, updateObjs: [{ objPath: 'Device.LocalAgent.MTP.1.WebSocket.', paramSettings: [{ param: 'KeepAliveInterval', value: '120', required: true }] }] },
        }),
      );
      expect(set.respType).toBe('setResp');
      await stop(s);

      s = await start(uci);
      expect(await getValue(s.c, 'Device.LocalAgent.MTP.1.WebSocket.KeepAliveInterval')).toBe('120');
      await stop(s);

      s = await start(uci.replace('ProvisioningCode=ISP-A:lab', 'ProvisioningCode=ISP-B'));
      expect(await getValue(s.c, 'Device.DeviceInfo.ProvisioningCode')).toBe('ISP-B');
      expect(await getValue(s.c, 'Device.LocalAgent.MTP.1.WebSocket.KeepAliveInterval')).toBe('60');
      expect(existsSync(join(data, 'state.json.before-uci'))).toBe(true);
      expect(s.agent.lines.some((l) => /level=warn component=uci-defaults msg=".*changed: saved state moved to/.test(l))).toBe(true);
      await stop(s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('a configuration that no longer translates leaves the agent on the last one that did, with the error in the log', async () => {
    const dir = installedCopy();
    try {
      const { port, uci, start } = await startWrapper(dir);
      let agent = start(uci);
      await agent.waitFor(/websocket server listening/);
      expect(await agent.terminate()).toBe(0);

      agent = start(`${uci.replace('ProvisioningCode=ISP-A:lab', 'ProvisioningCode=ISP-B')}usp-agent.acs.websocket_hots='x'\n`);
      await agent.waitFor(/websocket server listening/);
      expect(agent.lines.some((l) => /level=error component=uci-defaults msg=".*usp-agent\.acs\.websocket_hots: unknown option/.test(l))).toBe(true);
      expect(agent.lines.some((l) => /level=warn component=uci-defaults msg="starting from the last configuration that translated/.test(l))).toBe(true);
      const c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, 'proto::controller-1', 'os::0A1B2C-0A1B2C3D4E5F');
      expect(await getValue(c, 'Device.DeviceInfo.ProvisioningCode')).toBe('ISP-A:lab');
      await c.close();
      expect(await agent.terminate()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("with on_uci_change 'keep' the saved state wins over a changed configuration", () => {
    const dir = installedCopy();
    try {
      const data = join(dir, 'data');
      const run = (text: string): string =>
        execFileSync(process.execPath, [join(dir, LIB, 'uci-defaults.mjs'), '--out', join(dir, 'd.json'), '--data-dir', data], {
          env: { PATH: uciStandIn(dir, text) },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      const keep = FIXTURE.replace("on_uci_change='reset'", "on_uci_change='keep'");
      run(keep);
      writeFileSync(join(data, 'state.json'), '{"saved":true}');
      run(keep.replace('ProvisioningCode=ISP-A:lab', 'ProvisioningCode=ISP-B'));
      expect(readFileSync(join(dir, 'd.json'), 'utf8')).toContain('ISP-B');
      expect(readFileSync(join(data, 'state.json'), 'utf8')).toBe('{"saved":true}');
      expect(existsSync(join(data, 'state.json.before-uci'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('translates the shipped /etc/config/usp-agent as real uci prints it (recorded): TLS WebSocket server, the example controller, MQTT off', () => {
    const text = readFileSync(join(REPO, 'test/fixtures/openwrt/uci-show-usp-agent.shipped.txt'), 'utf8');
    const script = `import { parseUciShow, toDefaults } from ${JSON.stringify(join(root, LIB, 'uci-defaults.mjs'))};
      process.stdout.write(JSON.stringify(toDefaults(parseUciShow(${JSON.stringify(text)}), { macOf: (i) => i === 'br-lan' ? 'f4:e2:c6:01:02:03' : undefined })));`;
    expect(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }))).toEqual({
      'Device.LocalAgent.EndpointID': 'os::F4E2C6-F4E2C6010203',
      'Device.MQTT.Client.1.Alias': 'broker',
      'Device.MQTT.Client.1.Enable': false,
      'Device.MQTT.Client.1.BrokerAddress': 'broker.example.net',
      'Device.MQTT.Client.1.BrokerPort': '1883',
      'Device.MQTT.Client.1.ProtocolVersion': '5.0',
      'Device.MQTT.Client.1.TransportProtocol': 'TCP/IP',
      'Device.MQTT.Client.1.Subscription.1.Enable': true,
      'Device.MQTT.Client.1.Subscription.1.Topic': '/usp/agent',
      'Device.LocalAgent.MTP.1.Alias': 'ws',
      'Device.LocalAgent.MTP.1.Enable': true,
      'Device.LocalAgent.MTP.1.Protocol': 'WebSocket',
      'Device.LocalAgent.MTP.1.WebSocket.Port': '9001',
      'Device.LocalAgent.MTP.1.WebSocket.Path': '/usp',
      'Device.LocalAgent.MTP.1.WebSocket.EnableEncryption': true,
      'Device.LocalAgent.MTP.1.WebSocket.KeepAliveInterval': '60',
      'Device.LocalAgent.MTP.2.Alias': 'mqtt',
      'Device.LocalAgent.MTP.2.Enable': false,
      'Device.LocalAgent.MTP.2.Protocol': 'MQTT',
      'Device.LocalAgent.MTP.2.MQTT.ResponseTopicConfigured': '/usp/agent',
      'Device.LocalAgent.MTP.2.MQTT.Reference': 'Device.MQTT.Client.1',
      'Device.LocalAgent.Controller.1.Alias': 'acs',
      'Device.LocalAgent.Controller.1.Enable': true,
      'Device.LocalAgent.Controller.1.EndpointID': 'proto::controller-1',
      'Device.LocalAgent.Controller.1.AssignedRole': 'Device.LocalAgent.ControllerTrust.Role.1',
    });
  });

  it('starts the agent from an operator-edited configuration as real uci prints it (recorded: anonymous section, quote, list item with a space)', async () => {
    const dir = installedCopy();
    try {
      const port = await freePort();
      const text = readFileSync(join(REPO, 'test/fixtures/openwrt/uci-show-usp-agent.edited.txt'), 'utf8').replace("usp-agent.ws.port='9001'", `usp-agent.ws.port='${port}'`);
      const agent = runScript(join(dir, LIB, 'usp-agent-start'), [join(dir, 'defaults.json'), join(dir, 'data'), '--platform', 'simulated'], { PATH: uciStandIn(dir, text) });
      await agent.waitFor(/websocket server listening/);
      const c = await TestController.connect(`ws://127.0.0.1:${port}/usp`, 'proto::controller-1', 'os::0A1B2C-0A1B2C3D4E5F');
      expect(await getValue(c, 'Device.LocalAgent.Controller.2.EndpointID')).toBe("proto::it's-ops");
      expect(await getValue(c, 'Device.LocalAgent.Controller.2.MTP.1.MQTT.Topic')).toBe('/usp/ops');
      expect(await getValue(c, 'Device.MQTT.Client.1.Subscription.2.Topic')).toBe('/usp/agent/all devices');
      await c.close();
      expect(await agent.terminate()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('derives the TR-369 os:: Endpoint ID from the MAC address of endpoint_id_interface when endpoint_id is unset', () => {
    const text = FIXTURE.replace("usp-agent.global.endpoint_id='os::0A1B2C-0A1B2C3D4E5F'\n", "usp-agent.global.endpoint_id_interface='eth9'\n");
    const script = `import { parseUciShow, toDefaults } from ${JSON.stringify(join(root, LIB, 'uci-defaults.mjs'))};
      const asked = [];
      const d = toDefaults(parseUciShow(${JSON.stringify(text)}), { macOf: (i) => { asked.push(i); return '0a:1b:2c:3d:4e:5f\\n'; } });
      process.stdout.write(JSON.stringify({ eid: d['Device.LocalAgent.EndpointID'], asked }));`;
    expect(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }))).toEqual({ eid: 'os::0A1B2C-0A1B2C3D4E5F', asked: ['eth9'] });
  });

  it('takes `list plugin` as an init-script option: no TR-181 setting', () => {
    const text = `${FIXTURE}usp-agent.global.plugin='/usr/lib/p/a.mjs' '/usr/lib/p/b.cjs'\n`;
    const script = `import { parseUciShow, toDefaults } from ${JSON.stringify(join(root, LIB, 'uci-defaults.mjs'))};
      const d = toDefaults(parseUciShow(${JSON.stringify(text)}), {});
      process.stdout.write(JSON.stringify(Object.keys(d).filter((k) => k.includes('lugin'))));`;
    expect(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }))).toEqual([]);
  });

  it('refuses a configuration it cannot translate, naming the UCI option and the fix', () => {
    const dir = installedCopy();
    try {
      const bad = (text: string): string => {
        try {
          execFileSync(process.execPath, [join(dir, LIB, 'uci-defaults.mjs'), '--check'], { env: { PATH: uciStandIn(dir, text) }, stdio: ['ignore', 'pipe', 'pipe'] });
        } catch (e) {
          const err = e as { status: number; stderr: Buffer };
          expect(err.status).toBe(2);
          return err.stderr.toString();
        }
        throw new Error('accepted');
      };
      expect(bad(`${FIXTURE}usp-agent.acs.websocket_hots='x'\n`)).toMatch(/usp-agent\.acs\.websocket_hots: unknown option of a controller section; known: .*websocket_host/);
      expect(bad(FIXTURE.replace("usp-agent.mqtt.mqtt='broker'", "usp-agent.mqtt.mqtt='brokr'"))).toMatch(/usp-agent\.mqtt\.mqtt: no mqtt section named 'brokr'; name one of: broker/);
      expect(bad(FIXTURE.replace("usp-agent.ws.encryption='0'", "usp-agent.ws.encryption='maybe'"))).toMatch(/usp-agent\.ws\.encryption: 'maybe' is not a boolean/);
      expect(bad(FIXTURE.replace("usp-agent.global.endpoint_id='os::0A1B2C-0A1B2C3D4E5F'\n", "usp-agent.global.endpoint_id_interface='no-such-if0'\n"))).toMatch(
        /usp-agent\.global\.endpoint_id: not set, and no MAC address on interface 'no-such-if0'/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the init script under stand-ins for rc.common and procd', () => {
  /**
   * Sources /etc/init.d/usp-agent in a POSIX sh whose config_get/procd_* functions print what
   * they are given (one `name|arg|arg…` line each): what procd would be told. UCI values come
   * from UCI_<section>_<option> variables; `node` and the file operations are stand-ins too.
   */
  function initScript(uci: Record<string, string>, nodeExit = 0): string[] {
    const harness = `
rec() { printf '%s' "$1"; shift; for a in "$@"; do printf '|%s' "$a"; done; printf '\\n'; }
config_load() { rec config_load "$@"; }
config_get() { eval "v=\\\${UCI_$2_$3-\\$4}"; eval "$1=\\$v"; }
config_get_bool() { config_get "$@"; eval "case \\$$1 in 1|yes|on|true|enabled) $1=1;; *) $1=0;; esac"; }
config_list_foreach() { eval "l=\\\${UCI_$1_$2-}"; for x in $l; do "$3" "$x"; done; }
for f in procd_open_instance procd_set_param procd_append_param procd_close_instance procd_add_reload_trigger procd_add_interface_trigger procd_send_signal mkdir chmod; do eval "$f() { rec $f \\"\\$@\\"; }"; done
node() { rec node "$@"; return ${nodeExit}; }
. "$INIT"
start_service; rec start_service_rc $?
service_triggers
reconnect
`;
    const env: Record<string, string> = { PATH: '/usr/bin:/bin', INIT: join(root, 'etc/init.d/usp-agent') };
    for (const [k, v] of Object.entries(uci)) env[`UCI_${k}`] = v;
    return execFileSync('sh', ['-c', harness], { env, encoding: 'utf8' }).trim().split('\n');
  }

  it('starts usp-agent-start with the global options, respawn, the config as a watched file, SIGTERM stop left to procd', () => {
    const calls = initScript({ global_enabled: '1' });
    expect(calls).toContain('node|/usr/lib/usp-agent/uci-defaults.mjs|--check');
    expect(calls).toContain('procd_set_param|command|/usr/lib/usp-agent/usp-agent-start|/var/etc/usp-agent/factory-defaults.json|/etc/usp-agent|--platform|openwrt|--log-level|info');
    expect(calls).toContain('procd_set_param|respawn|3600|5|5');
    expect(calls).toContain('procd_set_param|file|/etc/config/usp-agent');
    expect(calls).toContain('procd_set_param|term_timeout|5');
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual([]);
    expect(calls).toContain('start_service_rc|0');
  });

  it('passes data_dir, platform, log_level, vendor_prefix and the TLS files as agent options', () => {
    const calls = initScript({
      global_data_dir: '/overlay/usp',
      global_platform: 'auto',
      global_log_level: 'debug',
      global_vendor_prefix: 'X_EXAMPLE-COM_',
      global_cert: '/etc/usp-agent/a.crt',
      global_key: '/etc/usp-agent/a.key',
      global_ca: '/etc/usp-agent/ca.crt',
    });
    expect(calls).toContain('procd_set_param|command|/usr/lib/usp-agent/usp-agent-start|/var/etc/usp-agent/factory-defaults.json|/overlay/usp|--platform|auto|--log-level|debug');
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual([
      'procd_append_param|command|--vendor-prefix|X_EXAMPLE-COM_',
      'procd_append_param|command|--cert|/etc/usp-agent/a.crt|--key|/etc/usp-agent/a.key',
      'procd_append_param|command|--ca|/etc/usp-agent/ca.crt',
    ]);
  });

  it('passes firmware_hook, firmware_trust and firmware_staging as --firmware-* options', () => {
    const calls = initScript({ global_firmware_hook: '/usr/libexec/fw-hook', global_firmware_trust: '/etc/usp-agent/keys', global_firmware_staging: '/tmp/fw' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual([
      'procd_append_param|command|--firmware-hook|/usr/libexec/fw-hook',
      'procd_append_param|command|--firmware-trust|/etc/usp-agent/keys',
      'procd_append_param|command|--firmware-staging|/tmp/fw',
    ]);
  });

  it('passes each `list plugin` as a --plugin option, in order', () => {
    const calls = initScript({ global_plugin: '/usr/lib/p/a.mjs /usr/lib/p/b.cjs' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual(['procd_append_param|command|--plugin|/usr/lib/p/a.mjs', 'procd_append_param|command|--plugin|/usr/lib/p/b.cjs']);
  });

  it('passes `list manage_interface` as one --manage-interfaces a,b and manage_dns as --manage-dns', () => {
    const calls = initScript({ global_manage_interface: 'eth1 wan0', global_manage_dns: '/etc/resolv.conf' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual(['procd_append_param|command|--manage-interfaces|eth1,wan0', 'procd_append_param|command|--manage-dns|/etc/resolv.conf']);
  });

  it('passes device_image_dir as --device-image-dir', () => {
    const calls = initScript({ global_device_image_dir: '/etc/usp-agent/images' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual(['procd_append_param|command|--device-image-dir|/etc/usp-agent/images']);
  });

  it('passes each `list vendor_log_file` as a --vendor-log-file option, in order', () => {
    const calls = initScript({ global_vendor_log_file: '/var/log/a.log /mnt/log/b.log' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual([
      'procd_append_param|command|--vendor-log-file|/var/log/a.log',
      'procd_append_param|command|--vendor-log-file|/mnt/log/b.log',
    ]);
  });

  it('passes packet_counters as --packet-counters', () => {
    const calls = initScript({ global_packet_counters: '0' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual(['procd_append_param|command|--packet-counters|0']);
  });

  it('passes mqtt_broker as --mqtt-broker', () => {
    const calls = initScript({ global_mqtt_broker: 'mosquitto' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual(['procd_append_param|command|--mqtt-broker|mosquitto']);
  });

  it('passes upnp_igd as --upnp-igd', () => {
    const calls = initScript({ global_upnp_igd: 'off' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual(['procd_append_param|command|--upnp-igd|off']);
  });

  it('passes alarm_check_period as --alarm-check-period', () => {
    const calls = initScript({ global_alarm_check_period: '10' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual(['procd_append_param|command|--alarm-check-period|10']);
  });

  it('passes captive_portal as --captive-portal', () => {
    const calls = initScript({ global_captive_portal: '0' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual(['procd_append_param|command|--captive-portal|0']);
  });

  it('passes bridge_filter as --bridge-filter', () => {
    const calls = initScript({ global_bridge_filter: '0' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual(['procd_append_param|command|--bridge-filter|0']);
  });

  it('passes qos as --qos', () => {
    const calls = initScript({ global_qos: '0' });
    expect(calls.filter((c) => c.startsWith('procd_append_param'))).toEqual(['procd_append_param|command|--qos|0']);
  });

  it('starts nothing when disabled, or when the configuration does not translate and none ever did', () => {
    expect(initScript({ global_enabled: '0' }).some((c) => c.startsWith('procd_open_instance'))).toBe(false);
    const data = join(work, 'init-data');
    execFileSync('mkdir', ['-p', data]);
    const refused = initScript({ global_data_dir: data }, 2);
    expect(refused.some((c) => c.startsWith('procd_open_instance'))).toBe(false);
    expect(refused).toContain('start_service_rc|1');
    // With a last configuration that translated, the agent is started (and keeps that one).
    writeFileSync(join(data, 'uci-defaults.json'), '{}');
    const kept = initScript({ global_data_dir: data }, 2);
    expect(kept).toContain(`procd_set_param|command|/usr/lib/usp-agent/usp-agent-start|/var/etc/usp-agent/factory-defaults.json|${data}|--platform|openwrt|--log-level|info`);
    expect(kept).toContain('start_service_rc|0');
  });

  it('reloads on a UCI change, and on each WAN interface coming up sends SIGHUP (reconnect)', () => {
    const calls = initScript({ global_wan_interface: 'wan wwan' });
    expect(calls).toContain('procd_add_reload_trigger|usp-agent');
    expect(calls).toContain('procd_add_interface_trigger|interface.*.up|wan|/etc/init.d/usp-agent|reconnect');
    expect(calls).toContain('procd_add_interface_trigger|interface.*.up|wwan|/etc/init.d/usp-agent|reconnect');
    expect(calls).toContain('procd_send_signal|usp-agent|*|HUP');
  });
});

describe('the packager', () => {
  it('gives the same bytes for the same sources (SOURCE_DATE_EPOCH)', () => {
    const build = (out: string): Buffer => {
      execFileSync(process.execPath, [join(REPO, 'tools/package-openwrt.mjs'), '--out', out], { stdio: 'pipe', env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
      return readFileSync(join(out, `usp-agent_${VERSION}-1_all.ipk`));
    };
    expect(build(join(work, 'again-1')).equals(build(join(work, 'again-2')))).toBe(true);
  });

  it('writes ustar names longer than 100 bytes with a prefix, which GNU tar reads back', () => {
    const long = `./${'d'.repeat(80)}/${'e'.repeat(60)}/file.txt`;
    const script = `import { tar } from ${JSON.stringify(join(REPO, 'tools/tar-writer.mjs'))}; process.stdout.write(tar([{ name: ${JSON.stringify(long)}, type: 'file', data: Buffer.from('hi') }], 0));`;
    const archive = execFileSync(process.execPath, ['--input-type=module', '-e', script]);
    expect(execFileSync('tar', ['tf', '-'], { input: archive, encoding: 'utf8' }).trim()).toBe(long);
    expect(execFileSync('tar', ['xOf', '-'], { input: archive, encoding: 'utf8' })).toBe('hi');
  });
});
