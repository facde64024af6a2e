/**
 * Codec benchmark: protobufjs reflection (what agent/codec uses) against pbjs static code, for the
 * choice documented in agent/codec/loader.ts. Prints one JSON object.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/codec.js [--static FILE.cjs] [--ms 200]
 *
 * FILE.cjs is optional: pbjs output for agent/codec/proto/*.proto (`pbjs -t static-module -w commonjs`).
 * pbjs is not a project dependency, so without it only the reflection numbers are printed.
 *
 * Measured: cold start in fresh processes (import, type build, first encode+decode: the agent must
 * listen within 300 ms) and steady-state cost per operation of a typical GetResp (50 parameters in
 * 5 objects) and a Get request, with and without the strict wire pass.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type protobuf from 'protobufjs';
import { decodeMsg, encodeMsg, requestMsg, responseMsg } from '../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord } from '../agent/codec/record.js';
import { uspTypes } from '../agent/codec/loader.js';
import { inspectWire } from '../agent/codec/wire.js';
import type { UspMsg } from '../agent/codec/types.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const staticFile = opt('--static');
const roundMs = Number(opt('--ms') ?? 200);

const TO_OBJECT: protobuf.IConversionOptions = { enums: String, longs: String, defaults: true, oneofs: true };

function getRespMsg(): UspMsg {
  const names = ['Enable', 'Status', 'Alias', 'Name', 'LastChange', 'LowerLayers', 'BSSID', 'MACAddress', 'SSID', 'Upstream'];
  return responseMsg('3f2a9c1e-7b7d-4c55-9d7e-2b0b1f0c8a11', {
    respType: 'getResp',
    getResp: {
      reqPathResults: [
        {
          requestedPath: 'Device.WiFi.SSID.',
          resolvedPathResults: Array.from({ length: 5 }, (_, i) => ({
            resolvedPath: `Device.WiFi.SSID.${i + 1}.`,
            resultParams: Object.fromEntries(names.map((n, j) => [n, j === 0 ? 'true' : `value-${i}-${n}-0123456789`])),
          })),
        },
      ],
    },
  });
}

function getMsg(): UspMsg {
  return requestMsg('3f2a9c1e-7b7d-4c55-9d7e-2b0b1f0c8a11', {
    reqType: 'get',
    get: { paramPaths: ['Device.WiFi.SSID.*.', 'Device.DeviceInfo.SoftwareVersion', 'Device.Time.CurrentLocalTime'], maxDepth: 0 },
  });
}

/** Median microseconds per call over 5 rounds of `roundMs`, after a warm-up. */
function perOp(fn: () => unknown): number {
  for (let i = 0; i < 500; i++) fn();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < roundMs) {
      for (let i = 0; i < 50; i++) fn();
      n += 50;
      t = performance.now();
    }
    rounds.push(((t - t0) * 1000) / n);
  }
  rounds.sort((a, b) => a - b);
  return Math.round(rounds[2]! * 100) / 100;
}

interface StaticType {
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
  fromObject(o: unknown): unknown;
  toObject(m: unknown, o: protobuf.IConversionOptions): unknown;
}

/** Evaluates pbjs CommonJS output against this project's protobufjs/minimal. */
function loadStatic(file: string): { Msg: StaticType } {
  const req = createRequire(import.meta.url);
  const module = { exports: {} as { usp: { Msg: StaticType } } };
  // pbjs writes CommonJS; this bench compares its static code with ours, so it runs that code as written.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call
  new Function('require', 'module', 'exports', readFileSync(file, 'utf8'))(req, module, module.exports);
  return { Msg: module.exports.usp.Msg };
}

/** Median of several fresh processes, each timing its own import, build and first use. */
function coldStart(script: string, runs = 7): Record<string, number> {
  const samples: Record<string, number>[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    samples.push(JSON.parse(out) as Record<string, number>);
  }
  const result: Record<string, number> = {};
  for (const key of Object.keys(samples[0]!)) {
    const v = samples.map((s) => s[key]!).sort((a, b) => a - b);
    result[key] = Math.round(v[Math.floor(v.length / 2)]! * 10) / 10;
  }
  return result;
}

const codecUrl = new URL('../agent/codec/index.js', import.meta.url).href;
const reflectionCold = `
const t0 = performance.now();
const codec = await import(${JSON.stringify(codecUrl)});
const t1 = performance.now();
codec.uspTypes();
const t2 = performance.now();
const get = codec.requestMsg('1', { reqType: 'get', get: { paramPaths: ['Device.'], maxDepth: 0 } });
codec.decodeMsg(codec.encodeMsg(get));
codec.encodeMsg(codec.responseMsg('1', { respType: 'getResp', getResp: { reqPathResults: [{ requestedPath: 'Device.', resolvedPathResults: [{ resolvedPath: 'Device.', resultParams: { A: '1' } }] }] } }));
const t3 = performance.now();
console.log(JSON.stringify({ processStartToImportMs: t0, importMs: t1 - t0, buildTypesMs: t2 - t1, firstUseMs: t3 - t2, readyMs: t3 }));
`;

function staticCold(file: string): string {
  const minimal = createRequire(import.meta.url).resolve('protobufjs/minimal');
  return `
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const t0 = performance.now();
const req = createRequire(${JSON.stringify(minimal)});
req(${JSON.stringify(minimal)});
const t1 = performance.now();
const module = { exports: {} };
new Function('require', 'module', 'exports', readFileSync(${JSON.stringify(file)}, 'utf8'))(req, module, module.exports);
const Msg = module.exports.usp.Msg;
const t2 = performance.now();
const o = { enums: String, longs: String, defaults: true, oneofs: true };
const get = { header: { msgId: '1', msgType: 'GET' }, body: { request: { get: { paramPaths: ['Device.'] } } } };
Msg.toObject(Msg.decode(Msg.encode(Msg.fromObject(get)).finish()), o);
Msg.encode(Msg.fromObject({ header: { msgId: '1', msgType: 'GET_RESP' }, body: { response: { getResp: { reqPathResults: [{ requestedPath: 'Device.', resolvedPathResults: [{ resolvedPath: 'Device.', resultParams: { A: '1' } }] }] } } } })).finish();
const t3 = performance.now();
console.log(JSON.stringify({ processStartToImportMs: t0, importMs: t1 - t0, buildTypesMs: t2 - t1, firstUseMs: t3 - t2, readyMs: t3 }));
`;
}

function main(): void {
  const { Msg } = uspTypes();
  const resp = getRespMsg();
  const get = getMsg();
  const respBytes = encodeMsg(resp);
  const getBytes = encodeMsg(get);
  const recordBytes = encodeRecord(noSessionContextRecord({ toId: 'proto::c', fromId: 'os::a' }, respBytes));

  const codec = {
    getResp_encode: perOp(() => encodeMsg(resp)),
    getResp_decode: perOp(() => decodeMsg(respBytes)),
    get_encode: perOp(() => encodeMsg(get)),
    get_decode: perOp(() => decodeMsg(getBytes)),
    record_encode: perOp(() => encodeRecord(noSessionContextRecord({ toId: 'proto::c', fromId: 'os::a' }, respBytes))),
    record_decode: perOp(() => decodeRecord(recordBytes)),
    wireCheck_getResp: perOp(() => inspectWire(Msg, respBytes)),
    wireCheck_get: perOp(() => inspectWire(Msg, getBytes)),
  };
  const rawOps = (T: StaticType) => ({
    getResp_encode: perOp(() => T.encode(T.fromObject(resp)).finish()),
    getResp_decode: perOp(() => T.toObject(T.decode(respBytes), TO_OBJECT)),
    get_encode: perOp(() => T.encode(T.fromObject(get)).finish()),
    get_decode: perOp(() => T.toObject(T.decode(getBytes), TO_OBJECT)),
  });
  const reflectionRaw = rawOps(Msg as unknown as StaticType);
  const staticRaw = staticFile ? rawOps(loadStatic(staticFile).Msg) : undefined;

  console.log(
    JSON.stringify(
      {
        node: process.version,
        unit: 'microseconds per operation (median of 5 rounds)',
        sizes: { getRespBytes: respBytes.length, getBytes: getBytes.length, getRespParams: 50 },
        coldStartMs: {
          reflection: coldStart(reflectionCold),
          static: staticFile ? coldStart(staticCold(staticFile)) : 'skipped: pass --static FILE.cjs',
        },
        codec,
        protobufjsOnly: { reflection: reflectionRaw, static: staticRaw ?? 'skipped: pass --static FILE.cjs' },
      },
      null,
      2,
    ),
  );
}

main();
