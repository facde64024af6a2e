/**
 * Transport figures for `npm run bench` (the `transports` key), or alone:
 *
 *   npm run build && node dist/bench/transports.js
 *
 * Each against its own agent PROCESS and a bare baseline measured alternately in the same run:
 * - mqtt: pipelined Gets through a real Mosquitto to the agent's MQTT 5.0 MTP vs a bare MQTT echo
 *   through the same broker (transport-mqtt.ts);
 * - webSocketClientMtp: the agent dials the bench, which sends pipelined Gets down that
 *   connection, vs the bare ws echo (transport-ws-client.ts);
 * - tls: mutual-TLS handshake times and pipelined Gets over wss vs ws (transport-tls.ts).
 * Reported, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFigures, loadMark } from './load.js';
import type { TransportRun } from './pipe-client.js';
import { getParam, slottedRecords } from './requests.js';
import { round } from './stats.js';
import { measureMqtt } from './transport-mqtt.js';
import { measureTls } from './transport-tls.js';
import { measureWebSocketClient } from './transport-ws-client.js';
import { runAlone } from './run-alone.js';

const SERIAL_PATH = 'Device.DeviceInfo.SerialNumber';
const IN_FLIGHT = 32;
const SLOTS = 256;
// Short windows, alternated often: on a shared machine a slow spell then falls on every peer.
// The connections are warm before the first window (256 Gets recorded on each).
const ROUNDS = 3;
const WARMUP_MS = 300;
const MEASURE_MS = 1000;

export interface TransportOptions {
  /** requests/s of the ws echo in the main pipelinedGet figure of the same run, when there is one. */
  mainWsEcho?: number;
}

export async function measureTransports(progress: (s: string) => void, opts: TransportOptions = {}): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const load0 = loadMark();
  const work = mkdtempSync(join(tmpdir(), 'usp-bench-transports-'));
  const run: TransportRun = {
    records: slottedRecords(getParam(SERIAL_PATH), SLOTS),
    opts: { inFlight: IN_FLIGHT, warmupMs: WARMUP_MS, measureMs: MEASURE_MS },
    rounds: ROUNDS,
    progress,
  };
  try {
    const out: Record<string, unknown> = {
      note: 'each transport against its own agent process (simulated platform, warn-level logging, fresh data directory) and a bare baseline in the same run, alternating rounds; ratios are agent / baseline requests per second',
    };
    out.mqtt = await measureMqtt(run, work);
    out.webSocketClientMtp = await measureWebSocketClient(run, work, opts.mainWsEcho);
    out.tls = await measureTls(run);
    out.loadAverage = loadFigures(load0);
    out.durationS = round((performance.now() - t0) / 1000, 1);
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// Run alone: node dist/bench/transports.js
runAlone(import.meta.url, 'transports', measureTransports);
