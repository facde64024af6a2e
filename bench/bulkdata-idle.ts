/**
 * CPU of an idle agent with 5 Bulk Data Profiles at a 60 s interval (the `bulkData.idleCpu` key
 * of `npm run bench`), or alone:
 *
 *   npm run build && node dist/bench/bulkdata-idle.js
 *
 * Two agent processes (simulated gateway, bench defaults, no controller connected) idle side by
 * side over the same window: one with no Profile, one with 5 HTTP Profiles (JSON, ReportingInterval
 * 60 s, the usual telemetry references) posting to a collector in this process. The window is one
 * ReportingInterval long, so each Profile reports once inside it (the collector counts them); the
 * difference between the two agents' utime+stime (/proc/<pid>/stat) is what the Profiles cost.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DefaultsFile } from '../agent/defaults/apply-defaults.js';
import { benchDefaults } from './agent-config.js';
import { figure } from './figure.js';
import { freePort } from './port.js';
import { cpuTicks, ticksPerSecond } from './proc.js';
import { runAlone } from './run-alone.js';
import { spawnConfiguredAgent } from './spawn-configured.js';
import type { RunningProcess } from './spawn-agent.js';
import { round } from './stats.js';

const PROFILES = 5;
const INTERVAL_S = 60;
/** What each Profile reports: device identity and uptime, and per-interface counters. */
const REFERENCES = ['Device.DeviceInfo.', 'Device.Ethernet.Interface.*.Stats.', 'Device.WiFi.Radio.*.', 'Device.Hosts.Host.*.'];

/** `benchDefaults` plus PROFILES enabled HTTP Profiles posting to `url`. */
function profileDefaults(port: number, url: string): DefaultsFile {
  const d = benchDefaults(port);
  d['Device.BulkData.Enable'] = true;
  for (let i = 1; i <= PROFILES; i++) {
    const p = `Device.BulkData.Profile.${i}.`;
    Object.assign(d, {
      [`${p}Enable`]: true,
      [`${p}Protocol`]: 'HTTP',
      [`${p}EncodingType`]: 'JSON',
      [`${p}ReportingInterval`]: INTERVAL_S,
      [`${p}HTTP.URL`]: `${url}/profile-${i}`,
      [`${p}HTTP.RetryEnable`]: false,
    });
    REFERENCES.forEach((ref, j) => {
      d[`${p}Parameter.${j + 1}.Reference`] = ref;
    });
  }
  return d;
}

/** A collector that answers 200 and counts the reports. */
async function startCounter(): Promise<{ server: Server; url: string; count: () => number; bytes: () => number }> {
  let count = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    req.on('end', () => {
      count++;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: () => count, bytes: () => bytes };
}

export async function measureBulkDataIdleCpu(progress: (s: string) => void = () => undefined, windowMs = INTERVAL_S * 1000, settleMs = 1000): Promise<Record<string, unknown>> {
  progress(`bulk data: idle CPU with ${PROFILES} Profiles at ${INTERVAL_S} s beside an agent with none, ${windowMs / 1000} s (agent processes)`);
  const hz = ticksPerSecond();
  const collector = await startCounter();
  let plain: RunningProcess | undefined;
  let withProfiles: RunningProcess | undefined;
  try {
    const plainPort = await freePort();
    plain = await spawnConfiguredAgent(benchDefaults(plainPort), plainPort, 'agent without Profiles');
    const port = await freePort();
    withProfiles = await spawnConfiguredAgent(profileDefaults(port, collector.url), port, `agent with ${PROFILES} Profiles`);
    await new Promise((r) => setTimeout(r, settleMs));
    const p0 = cpuTicks(plain.pid);
    const w0 = cpuTicks(withProfiles.pid);
    const r0 = collector.count();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const p1 = cpuTicks(plain.pid);
    const w1 = cpuTicks(withProfiles.pid);
    const reports = collector.count() - r0;
    const seconds = (performance.now() - t0) / 1000;
    const pct = (ticks: number): number => round((ticks / hz / seconds) * 100, 3);
    const ms = (ticks: number): number => round((ticks / hz) * 1000, 0);
    return {
      note: `utime+stime from /proc/<pid>/stat over ${round(seconds, 1)} s, ${settleMs} ms after both agents listened; both on the simulated gateway with no controller connected; the Profiles reference ${REFERENCES.join(', ')}; resolution ${round(100 / hz / seconds, 3)} % (one clock tick of ${1000 / hz} ms over the window)`,
      withProfiles: figure(pct(w1 - w0), '% of one core', undefined, `${PROFILES} HTTP JSON Profiles at ${INTERVAL_S} s`),
      withoutProfiles: figure(pct(p1 - p0), '% of one core', undefined, 'the same agent, no Profile, same window'),
      withProfilesCpuMs: ms(w1 - w0),
      withoutProfilesCpuMs: ms(p1 - p0),
      reportsInWindow: reports,
      reportBytes: collector.bytes(),
    };
  } finally {
    await withProfiles?.stop();
    await plain?.stop();
    await new Promise<void>((r) => collector.server.close(() => r()));
  }
}

runAlone(import.meta.url, 'bulkDataIdleCpu', (progress) => measureBulkDataIdleCpu(progress));
