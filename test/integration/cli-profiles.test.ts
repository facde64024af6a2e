/**
 * `usp-agent profiles` as an operator runs it: the real CLI binary against a real agent process
 * (through `<data-dir>/control.sock`) and offline for a platform; text and --json output, exit
 * codes 0/2/3 (cli-error.ts). Needs `npm run build`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentProcess, REPO, writeDefaultsFile } from '../peers/agent-process.js';
import { runCli } from '../peers/cli-process.js';
import { freePort } from '../peers/TestController.js';

interface JsonReport {
  model: string;
  source: { kind: string; platform?: string; dataDir?: string; liveSources?: Array<{ source: string; objects: string[]; found: boolean }> };
  counts: { profiles: number; met: number; missed: number };
  met: string[];
  missed: Array<{ name: string; missing: Array<{ kind: string; path: string; detail: string }> }>;
}

const dir = mkdtempSync(join(tmpdir(), 'usp-profiles-cli-'));
const dataDir = join(dir, 'data');

beforeAll(async () => {
  const defaultsFile = join(dir, 'defaults.json');
  writeDefaultsFile(defaultsFile, await freePort());
  const agent = AgentProcess.start(defaultsFile, dataDir);
  await agent.waitForLine(/msg="agent started"/);
}, 20_000);

afterAll(async () => {
  await AgentProcess.killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('usp-agent profiles against the running agent', () => {
  it('prints the profiles met, then the ones missed in part with their first missing items, and exits 0', async () => {
    const r = await runCli(['profiles', '--data-dir', dataDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Device:2\\.19: \\d+ of 241 profiles met \\(the agent on ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`));
    expect(lines[2]).toMatch(/^met \(\d+\):$/);
    // The agent's own LocalAgent objects meet LocalAgent:1 on every platform.
    expect(r.stdout).toMatch(/^ {2}.*\bLocalAgent:1\b/m);
    expect(r.stdout).toMatch(/^missed in part \(\d+\), fewest missing items first:$/m);
    // Each missed profile: its name and count, then "PATH  why" lines.
    expect(r.stdout).toMatch(/^ {2}\S+: \d+ missing\n {4}Device\.\S+ +\S.*$/m);
    expect(r.stdout).toMatch(/^not served at all \(\d+\): none of the objects they name is served$/m);
  });

  it('--json gives every miss, and the same verdicts as the agent built offline for its platform', async () => {
    const [live, offline] = await Promise.all([runCli(['profiles', '--data-dir', dataDir, '--json']), runCli(['profiles', '--platform', 'simulated', '--offline', '--json'])]);
    expect([live.code, offline.code, live.stderr, offline.stderr]).toEqual([0, 0, '', '']);
    const a = JSON.parse(live.stdout) as JsonReport;
    const b = JSON.parse(offline.stdout) as JsonReport;
    expect(a.source).toEqual({ kind: 'agent', dataDir });
    expect(b.source).toEqual({ kind: 'offline', platform: 'simulated', liveSources: [] });
    expect(a.counts).toEqual({ profiles: 241, met: a.met.length, missed: 241 - a.met.length });
    expect(a.missed.every((m) => m.missing.length > 0)).toBe(true);
    expect(a.met).toEqual(b.met);
    expect(a.missed).toEqual(b.missed);
  });
});

describe('usp-agent profiles offline', () => {
  it('on a live platform says which objects depend on sources found (or not) on this machine', async () => {
    const [r, openwrt] = await Promise.all([runCli(['profiles', '--platform', 'linux', '--offline']), runCli(['profiles', '--platform', 'openwrt', '--offline'])]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Device:2\.19: \d+ of 241 profiles met \(--platform linux, built offline\)$/m);
    expect(r.stdout).toMatch(/^built on this machine; on the device these depend on what answers there:$/m);
    expect(r.stdout).toMatch(/^ {2}Device\.Cellular\.: ModemManager \(mmcli answers\), (found|not found) here/m);
    expect(r.stdout).toMatch(/^ {2}Device\.IP\.Interface\.\{i\}\.Stats\.UnicastPacketsReceived: nftables \(nft with CAP_NET_ADMIN, --packet-counters not off\), (found|not found) here/m);
    // A build host has no OpenWrt package installed: UPnPDev:1 is then left out, and the report says why.
    expect(openwrt.code).toBe(0);
    expect(openwrt.stdout).toMatch(/^ {2}Device\.UPnP\.Device\.: the miniupnpd package \(\/etc\/config\/upnpd\), not found here \(absent from this report\)$/m);
    expect(openwrt.stdout.split(/^missed in part/m)[0]).not.toMatch(/\bUPnPDev:1\b/);
    expect(openwrt.stdout).toMatch(/^ {2}UPnPDev:1: 2 missing$/m);
  });
});

describe('usp-agent profiles usage', () => {
  it.each([
    [[], /give --data-dir DIR \(the running agent\) or --platform P --offline/],
    [['--offline'], /--offline needs --platform/],
    [['--offline', '--platform', 'auto'], /--platform auto: give one of simulated, linux, openwrt, none/],
    [['--platform', 'simulated'], /--platform is for --offline/],
    [['--offline', '--platform', 'none', '--data-dir', '/tmp/x'], /leave out --data-dir/],
  ])('%j exits 2 saying how to ask', async (args, message) => {
    const r = await runCli(['profiles', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('exits 3 when no agent answers on the data directory', async () => {
    const r = await runCli(['profiles', '--data-dir', join(dir, 'nobody-here')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^usp-agent: /);
  });

  it('ends quietly with exit 0 when its reader leaves early (`profiles --json | head`)', async () => {
    // As an operator types it: head reads 100 bytes of the 100+ KB report and exits, so the rest
    // of the agent's write meets a closed pipe (EPIPE); pipefail makes the exit code the CLI's.
    const child = spawn('bash', ['-c', `set -o pipefail; "${process.execPath}" bin/usp-agent.js profiles --platform linux --offline --json | head -c 100 > /dev/null`], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
