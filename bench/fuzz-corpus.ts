/**
 * Seeded, reproducible fuzz inputs for the live agent and the codec (TR-369 §"USP Record",
 * §"Messages"; R-MTP.5): random bytes, mutated Records and Msgs of every request type,
 * valid requests with paths and values drawn from realistic fragments, and hand-made structural
 * oddities. Used by bench/fuzz.ts (the driver and the long run) and test/integration/fuzz-agent.test.ts;
 * lives in bench/ because tsconfig.build.json excludes test/.
 *
 * Every input is classified with the project's own codec, so the driver knows what the agent must
 * do with it: answer (a valid Record for the agent carrying a request), stay silent (Operate with
 * send_resp=false, Records for someone else, responses), or treat it as a bad Record (R-MTP.5,
 * R-WS.16).
 */
import { decodeMsg, encodeMsg, errorMsg, requestMsg } from '../agent/codec/msg.js';
import { decodeRecord, encodeRecord, noSessionContextRecord, type OutgoingRecord } from '../agent/codec/record.js';
import { MsgDecodeError, RecordDecodeError } from '../agent/codec/errors.js';
import type { Request, RequestType, ResponseType, StringMap, UspMsg } from '../agent/codec/types.js';
import { UspError } from '../datamodel/UspError.js';
import { mulberry32 } from './prng.js';

// ---------------------------------------------------------------------------------------------
// Randomness

/** The seed used when USP_FUZZ_SEED is not set; printed by every run so a failure can be replayed. */
export const DEFAULT_FUZZ_SEED = 0x1369_5eed;

/** USP_FUZZ_SEED (decimal or 0x-hex) or the default. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['USP_FUZZ_SEED'];
  if (!raw) return DEFAULT_FUZZ_SEED;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`USP_FUZZ_SEED must be an integer, got "${raw}"`);
  return n >>> 0;
}

/** Draws from mulberry32 (bench/prng.ts): the same sequence on every platform. */
export class Rand {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
}

// ---------------------------------------------------------------------------------------------
// A minimal protobuf writer, for inputs the codec's encoder refuses to produce

function varint(v: number): number[] {
  const out: number[] = [];
  let n = v;
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}
export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const utf8 = new TextEncoder();
/** Hand-made wire fields: tag(no, wireType), varint field, length-delimited field, string, sub-message. */
export const pb = {
  tag: (no: number, wt: number): Uint8Array => new Uint8Array(varint(no * 8 + wt)),
  vint: (no: number, v: number): Uint8Array => cat(pb.tag(no, 0), new Uint8Array(varint(v))),
  len: (no: number, content: Uint8Array): Uint8Array => cat(pb.tag(no, 2), new Uint8Array(varint(content.length)), content),
  str: (no: number, s: string): Uint8Array => pb.len(no, utf8.encode(s)),
  msg: (no: number, ...fields: Uint8Array[]): Uint8Array => pb.len(no, cat(...fields)),
};

// ---------------------------------------------------------------------------------------------
// Paths and values from realistic fragments

const HEADS = [
  'Device.',
  'Device.',
  'Device.LocalAgent.',
  'Device.LocalAgent.',
  'Device.LocalAgent.Subscription.',
  'Device.LocalAgent.Controller.',
  'Device.LocalAgent.MTP.',
  'Device.LocalAgent.Request.',
  'Device.LocalAgent.ControllerTrust.Role.',
  'Device.DeviceInfo.',
  'Device.WiFi.SSID.',
  'Device.WiFi.Radio.',
  'Device.IP.Interface.',
  'Device.Ethernet.Interface.',
  'Device.Cellular.',
  'Device.Time.',
  '',
  'device.',
  'Device',
  '.',
  'Device..',
  'Devices.',
];
const MIDDLES = [
  'LocalAgent.',
  'Subscription.',
  'Controller.',
  'MTP.',
  'WebSocket.',
  'Request.',
  'ControllerTrust.',
  'Role.',
  'Permission.',
  'DeviceInfo.',
  'WiFi.',
  'SSID.',
  'Radio.',
  'IP.',
  'Interface.',
  'IPv4Address.',
  'Stats.',
  '*.',
  '*.',
  '1.',
  '1.',
  '2.',
  '3.',
  '0.',
  '99.',
  '4294967295.',
  '4294967296.',
  '-1.',
  '01.',
  '1e3.',
  '[ID=="x"].',
  '[Enable==true].',
  '[Alias=="cpe-1"].',
  '[EndpointID=="proto::controller-1"].',
  '[Name=="Full Access"].',
  '[Status!="Up"].',
  '[MaxBitRate>100].',
  '[LowerLayers+.Name=="x"].',
  '[ID=="x"&&Enable==false].',
  '[ID=="a\\"b"].',
  '[',
  ']',
  '[ID==',
  '{i}.',
  '..',
  '.',
  '+.',
  '#2+.',
  '#1+.',
];
const LEAVES = [
  '',
  '',
  'EndpointID',
  'Enable',
  'Alias',
  'ID',
  'NotifType',
  'ReferenceList',
  'Status',
  'Name',
  'PeriodicNotifInterval',
  'SSID',
  'UpTime',
  'Recipient',
  'CreationDate',
  'ScheduleTimer()',
  'Cancel()',
  'Boot!',
  'AssignedRole+',
  'AssignedRole+.Name',
  'LowerLayers#1+.Name',
  'SendOnBoardRequest()',
  'Nope',
  'X_VENDOR_Thing',
  '()',
  '!',
  'Enable+',
  'TimeToLive',
];
const ODD = ['%', '%25', 'é', '\u0000', ' ', '\t', '"', '==', '\\', '/', '😀', '\uFFFD', '\u202E', '*', '&&', '[', ']', '{', '}', '+', '#', '\n'];
const VALUES = [
  '',
  'true',
  'false',
  '1',
  '0',
  '-1',
  '42',
  '4294967295',
  '4294967296',
  '18446744073709551616',
  '1.5',
  'abc',
  'ValueChange',
  'Event',
  'ObjectCreation',
  'OperationComplete',
  'Device.LocalAgent.EndpointID',
  'Device.Boot!',
  'Device.LocalAgent.Controller.1',
  'Device.LocalAgent.ControllerTrust.Role.1',
  '2020-01-01T00:00:00Z',
  'proto::x',
  ' true ',
  'TRUE',
  'é',
  '\u0000',
  'Up',
];
const PARAM_NAMES = [
  'Enable',
  'ID',
  'NotifType',
  'ReferenceList',
  'Alias',
  'TimeToLive',
  'Persistent',
  'Recipient',
  'CreationDate',
  'EndpointID',
  'PeriodicNotifInterval',
  'AssignedRole',
  'Name',
  'SSID',
  'Nope',
  'Security.Mode',
  '',
  '.',
  'Enable.',
];
const TABLES = [
  'Device.LocalAgent.Subscription.',
  'Device.LocalAgent.Subscription.',
  'Device.LocalAgent.Controller.',
  'Device.LocalAgent.MTP.',
  'Device.LocalAgent.ControllerTrust.Role.',
  'Device.LocalAgent.Request.',
  'Device.WiFi.SSID.',
  'Device.LocalAgent.',
];

/** Commands that would stop the agent under test; never generated, and dropped if a mutation makes one. */
const STOPPING_COMMANDS = /Reboot|FactoryReset/;

function oddString(r: Rand): string {
  const n = 1 + r.int(12);
  let s = '';
  for (let i = 0; i < n; i++) s += r.chance(0.5) ? r.pick(ODD) : String.fromCharCode(0x20 + r.int(0x5f));
  return s;
}

/** A path string: mostly grammatical, sometimes slightly broken, sometimes noise. */
export function randomPath(r: Rand): string {
  if (r.chance(0.04)) return oddString(r);
  if (r.chance(0.01)) return 'Device.' + '*.'.repeat(1 + r.int(300));
  let p = r.pick(HEADS);
  const depth = r.int(5);
  for (let i = 0; i < depth; i++) p += r.pick(MIDDLES);
  p += r.pick(LEAVES);
  if (r.chance(0.15)) {
    const at = r.int(p.length + 1);
    p = p.slice(0, at) + r.pick(ODD) + p.slice(at);
  }
  return p;
}

export function randomValue(r: Rand): string {
  if (r.chance(0.1)) return oddString(r);
  if (r.chance(0.02)) return 'x'.repeat(r.int(5000));
  return r.pick(VALUES);
}

function randomParams(r: Rand): { param: string; value: string; required: boolean }[] {
  return Array.from({ length: r.int(4) }, () => ({
    param: r.chance(0.1) ? oddString(r) : r.pick(PARAM_NAMES),
    value: randomValue(r),
    required: r.chance(0.5),
  }));
}

function paths(r: Rand, max = 3): string[] {
  return Array.from({ length: r.int(max + 1) }, () => randomPath(r));
}

const ARG_NAMES = ['DelaySeconds', 'DelaySeconds', 'Nope', 'Result.1.Name', ''];
const ARG_VALUES = ['0', '1', '2', '-1', 'x', '4294967295'];
const COMMANDS = ['Device.ScheduleTimer()', 'Device.LocalAgent.Request.*.Cancel()', 'Device.LocalAgent.Request.1.Cancel()'];

function randomArgs(r: Rand): StringMap {
  const out: StringMap = {};
  for (let i = r.int(3); i > 0; i--) out[r.pick(ARG_NAMES)] = r.chance(0.7) ? r.pick(ARG_VALUES) : randomValue(r);
  return out;
}

/** A syntactically valid request of the given type with random (often invalid) paths and values. */
export function randomRequest(r: Rand, type: RequestType): Request {
  const allowPartial = (): boolean => r.chance(0.5);
  switch (type) {
    case 'get':
      return { reqType: 'get', get: { paramPaths: paths(r), maxDepth: r.pick([0, 0, 1, 2, 3, 0xffffffff]) } };
    case 'set': {
      const updateObjs = Array.from({ length: r.int(3) }, () => ({ objPath: randomPath(r), paramSettings: randomParams(r) }));
      return { reqType: 'set', set: { allowPartial: allowPartial(), updateObjs } };
    }
    case 'add': {
      const createObjs = Array.from({ length: r.int(3) }, () => ({ objPath: r.chance(0.7) ? r.pick(TABLES) : randomPath(r), paramSettings: randomParams(r) }));
      return { reqType: 'add', add: { allowPartial: allowPartial(), createObjs } };
    }
    case 'delete':
      // A wildcard Delete now and then keeps the Subscription table from growing without end.
      return { reqType: 'delete', delete: { allowPartial: allowPartial(), objPaths: r.chance(0.3) ? ['Device.LocalAgent.Subscription.*.'] : paths(r) } };
    case 'operate': {
      const command = r.chance(0.5) ? r.pick(COMMANDS) : randomPath(r);
      const commandKey = r.chance(0.5) ? '' : randomValue(r);
      return { reqType: 'operate', operate: { command, commandKey, sendResp: r.chance(0.8), inputArgs: randomArgs(r) } };
    }
    case 'getSupportedDm': {
      const objPaths = paths(r, 2);
      const [firstLevelOnly, returnCommands, returnEvents, returnParams, returnUniqueKeySets] = [r.chance(0.7), r.chance(0.5), r.chance(0.5), r.chance(0.5), r.chance(0.5)];
      return { reqType: 'getSupportedDm', getSupportedDm: { objPaths, firstLevelOnly, returnCommands, returnEvents, returnParams, returnUniqueKeySets } };
    }
    case 'getInstances':
      return { reqType: 'getInstances', getInstances: { objPaths: paths(r), firstLevelOnly: r.chance(0.5) } };
    case 'getSupportedProtocol': {
      const versions = r.pick(['1.4', '1.3,1.4', '', '2.0', 'x', '1.0,1.1,1.2']);
      return { reqType: 'getSupportedProtocol', getSupportedProtocol: { controllerSupportedProtocolVersions: versions } };
    }
    case 'notify': {
      const subscriptionId = randomValue(r);
      const sendResp = r.chance(0.5);
      return { reqType: 'notify', notify: { subscriptionId, sendResp, notification: 'event', event: { objPath: randomPath(r), eventName: 'Boot!', params: {} } } };
    }
    case 'register':
      return { reqType: 'register', register: { allowPartial: allowPartial(), regPaths: paths(r).map((path) => ({ path })) } };
    case 'deregister':
      return { reqType: 'deregister', deregister: { paths: paths(r) } };
  }
}

export const REQUEST_TYPES: readonly RequestType[] = ['get', 'set', 'add', 'delete', 'operate', 'getSupportedDm', 'getInstances', 'getSupportedProtocol', 'notify', 'register', 'deregister'];

/** The response member that answers each request member. */
export const RESPONSE_FOR: Readonly<Record<RequestType, ResponseType>> = {
  get: 'getResp',
  set: 'setResp',
  add: 'addResp',
  delete: 'deleteResp',
  operate: 'operateResp',
  getSupportedDm: 'getSupportedDmResp',
  getInstances: 'getInstancesResp',
  getSupportedProtocol: 'getSupportedProtocolResp',
  notify: 'notifyResp',
  register: 'registerResp',
  deregister: 'deregisterResp',
};

/** Well-formed requests of every type with meaningful paths: the seeds that mutations start from. */
export function templateRequests(): Request[] {
  const setting = (param: string, value: string, required = true) => ({ param, value, required });
  const timer = (sendResp: boolean, DelaySeconds: string): Request => ({
    reqType: 'operate',
    operate: { command: 'Device.ScheduleTimer()', commandKey: 'fuzz', sendResp, inputArgs: { DelaySeconds } },
  });
  return [
    { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID', 'Device.DeviceInfo.'], maxDepth: 0 } },
    { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.Controller.[EndpointID=="proto::controller-1"].AssignedRole+.Name'], maxDepth: 2 } },
    { reqType: 'set', set: { allowPartial: false, updateObjs: [{ objPath: 'Device.LocalAgent.Subscription.*.', paramSettings: [setting('Enable', 'false')] }] } },
    { reqType: 'set', set: { allowPartial: true, updateObjs: [{ objPath: 'Device.LocalAgent.Controller.1.', paramSettings: [setting('PeriodicNotifInterval', '60', false)] }] } },
    {
      reqType: 'add',
      add: {
        allowPartial: false,
        createObjs: [{ objPath: 'Device.LocalAgent.Subscription.', paramSettings: [setting('NotifType', 'ValueChange'), setting('ReferenceList', 'Device.LocalAgent.EndpointID')] }],
      },
    },
    { reqType: 'delete', delete: { allowPartial: true, objPaths: ['Device.LocalAgent.Subscription.*.'] } },
    timer(true, '1'),
    timer(false, '0'),
    {
      reqType: 'getSupportedDm',
      getSupportedDm: { objPaths: ['Device.LocalAgent.'], firstLevelOnly: true, returnCommands: true, returnEvents: true, returnParams: true, returnUniqueKeySets: true },
    },
    { reqType: 'getInstances', getInstances: { objPaths: ['Device.LocalAgent.Controller.'], firstLevelOnly: false } },
    { reqType: 'getSupportedProtocol', getSupportedProtocol: { controllerSupportedProtocolVersions: '1.3,1.4' } },
    { reqType: 'notify', notify: { subscriptionId: 's', sendResp: true, notification: 'event', event: { objPath: 'Device.', eventName: 'Boot!', params: { Cause: 'LocalReboot' } } } },
    { reqType: 'register', register: { allowPartial: true, regPaths: [{ path: 'Device.X_Test.' }] } },
    { reqType: 'deregister', deregister: { paths: ['Device.X_Test.'] } },
  ];
}

// ---------------------------------------------------------------------------------------------
// Byte-level mutations

/** Offsets of every field tag, descending into length-delimited fields that parse as messages. */
function tagOffsets(b: Uint8Array, from: number, to: number, depth: number, out: number[]): boolean {
  let p = from;
  const readVarint = (): number | undefined => {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (p >= to) return undefined;
      const byte = b[p++]!;
      v += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return v;
    }
    return undefined;
  };
  while (p < to) {
    const at = p;
    const tag = readVarint();
    if (tag === undefined || tag < 8) return false;
    out.push(at);
    switch (tag & 7) {
      case 0:
        if (readVarint() === undefined) return false;
        break;
      case 1:
        p += 8;
        break;
      case 5:
        p += 4;
        break;
      case 2: {
        const len = readVarint();
        if (len === undefined || len > to - p) return false;
        const mark = out.length;
        if (depth >= 8 || !tagOffsets(b, p, p + len, depth + 1, out)) out.length = mark;
        p += len;
        break;
      }
      default:
        return false;
    }
    if (p > to) return false;
  }
  return true;
}

export type Mutation = 'bitFlip' | 'byte' | 'truncate' | 'insert' | 'delete' | 'duplicate' | 'tag' | 'splice';
const MUTATIONS: readonly Mutation[] = ['bitFlip', 'bitFlip', 'byte', 'truncate', 'insert', 'delete', 'duplicate', 'tag', 'tag', 'splice'];

/** One random change; `tag` rewrites a field tag (another field number or wire type). */
export function mutate(input: Uint8Array, r: Rand, donor: Uint8Array): Uint8Array {
  const b = Uint8Array.from(input);
  const at = r.int(Math.max(b.length, 1));
  switch (r.pick(MUTATIONS)) {
    case 'bitFlip':
      if (b.length) b[at] = b[at]! ^ (1 << r.int(8));
      return b;
    case 'byte':
      if (b.length) b[at] = r.pick([0x00, 0x01, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12, 0x1a, 0x3a, 0x42]);
      return b;
    case 'truncate':
      return b.subarray(0, r.int(b.length + 1));
    case 'insert':
      return cat(b.subarray(0, at), r.bytes(1 + r.int(8)), b.subarray(at));
    case 'delete':
      return cat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(8))));
    case 'duplicate': {
      const end = Math.min(b.length, at + 1 + r.int(24));
      return cat(b.subarray(0, end), b.subarray(at, end), b.subarray(end));
    }
    case 'tag': {
      const offsets: number[] = [];
      tagOffsets(b, 0, b.length, 0, offsets);
      if (!offsets.length) return b;
      const pos = r.pick(offsets);
      const field = r.chance(0.8) ? 1 + r.int(15) : b[pos]! >> 3;
      b[pos] = (field << 3) | r.pick([0, 1, 2, 3, 4, 5, 6, 7]);
      return b;
    }
    case 'splice':
      return cat(b.subarray(0, at), donor.subarray(r.int(donor.length + 1)));
  }
}

// ---------------------------------------------------------------------------------------------
// Cases and their classification

export interface FuzzAddress {
  agentId: string;
  controllerId: string;
}

export type CaseKind = 'random' | 'mutatedRecord' | 'mutatedMsg' | 'randomPaths' | 'template' | 'crafted' | 'text';

/** What the agent must do with an input (derived with the project's codec, the agent's own rules). */
export type Expectation =
  /** A valid Record for the agent carrying a request: a response of `respType` or an Error. */
  | { kind: 'answer'; msgId: string; respType: ResponseType }
  /** Operate with send_resp=false (R-OPR.4): neither response nor error. */
  | { kind: 'silent'; msgId: string }
  /** Valid Record, Msg that does not decode but whose msg_id is readable: an Error, or nothing (R-MSG.1). */
  | { kind: 'msgError'; msgId?: string; code: number }
  /** Valid Record for the agent, but a response/error Msg, a connect/disconnect record, or for someone else. */
  | { kind: 'ignored'; msgId?: string }
  /** A session_context Record: DisconnectRecord 7106 (R-E2E.6a). */
  | { kind: 'sessionContext' }
  /** A Record that does not decode (R-MTP.5, R-WS.16); `msgId` when an Error may answer it. */
  | { kind: 'badRecord'; code: number; msgId?: string }
  /** A text frame: close 1003 (R-WS.16). */
  | { kind: 'text' };

export interface FuzzCase {
  index: number;
  kind: CaseKind;
  bytes: Uint8Array;
  /** Send as a text frame instead of binary. */
  text?: boolean;
  expect: Expectation;
}

/** What the agent will make of `bytes` arriving on a connection whose eid is `addr.controllerId`. */
export function classify(bytes: Uint8Array, addr: FuzzAddress): Expectation | 'unsafe' {
  let rec;
  try {
    rec = decodeRecord(bytes);
  } catch (e) {
    if (!(e instanceof RecordDecodeError)) throw e;
    return { kind: 'badRecord', code: e.code, msgId: salvagedMsgId(e) };
  }
  if (rec.toId !== addr.agentId || rec.fromId !== addr.controllerId) return { kind: 'ignored', msgId: peekId(rec.body) };
  if (rec.body.kind === 'sessionContext') return { kind: 'sessionContext' };
  if (rec.body.kind !== 'noSessionContext') return { kind: 'ignored' };
  let msg: UspMsg;
  try {
    msg = decodeMsg(rec.body.payload);
  } catch (e) {
    if (!(e instanceof MsgDecodeError)) throw e;
    return { kind: 'msgError', msgId: e.msgId, code: e.code };
  }
  const msgId = msg.header.msgId;
  if (msg.body.msgBody !== 'request') return { kind: 'ignored', msgId };
  const req = msg.body.request;
  if (req.reqType === 'operate') {
    if (STOPPING_COMMANDS.test(req.operate.command)) return 'unsafe';
    if (!req.operate.sendResp) return { kind: 'silent', msgId };
  }
  return { kind: 'answer', msgId, respType: RESPONSE_FOR[req.reqType] };
}

function peekId(body: { kind: string; payload?: Uint8Array }): string | undefined {
  if (body.kind !== 'noSessionContext' || !body.payload) return undefined;
  try {
    return decodeMsg(body.payload).header.msgId;
  } catch (e) {
    return e instanceof MsgDecodeError ? e.msgId : undefined;
  }
}

function salvagedMsgId(e: RecordDecodeError): string | undefined {
  if (!e.salvage.payload) return undefined;
  try {
    const m = decodeMsg(e.salvage.payload);
    const req = m.body.msgBody === 'request' ? m.body.request : undefined;
    return req?.reqType === 'operate' && STOPPING_COMMANDS.test(req.operate.command) ? undefined : m.header.msgId;
  } catch {
    return undefined;
  }
}

/**
 * The input stream: `count` cases from `seed`. msg_ids carry a random suffix so that a mutated id
 * almost never equals another case's id (R-MSG.4 would then legitimately drop one of them).
 */
export class FuzzCorpus {
  private readonly r: Rand;
  private readonly templates: Uint8Array[];
  private readonly templateMsgs: Request[];
  private readonly prefix: string;

  constructor(
    readonly seed: number,
    readonly addr: FuzzAddress,
  ) {
    this.r = new Rand(seed);
    this.templateMsgs = templateRequests();
    this.prefix = `fz${(seed >>> 0).toString(36)}`;
    this.templates = this.templateMsgs.map((req, i) => this.record(encodeMsg(requestMsg(`${this.prefix}-t${i}-${this.suffix()}`, req))));
  }

  private suffix(): string {
    return this.r
      .int(36 ** 6)
      .toString(36)
      .padStart(6, '0');
  }
  private msgId(i: number): string {
    return `${this.prefix}-${i}-${this.suffix()}`;
  }
  private record(payload: Uint8Array, over: Partial<OutgoingRecord> = {}): Uint8Array {
    return encodeRecord({ ...noSessionContextRecord({ toId: this.addr.agentId, fromId: this.addr.controllerId }, payload), ...over });
  }

  /** The case at position `index` (call in order: the PRNG is sequential). */
  next(index: number): FuzzCase {
    for (;;) {
      const c = this.generate(index);
      const expect = c.text ? { kind: 'text' as const } : classify(c.bytes, this.addr);
      if (expect !== 'unsafe') return { ...c, index, expect };
    }
  }

  private generate(i: number): { kind: CaseKind; bytes: Uint8Array; text?: boolean } {
    const r = this.r;
    const roll = r.next();
    if (roll < 0.08) return { kind: 'random', bytes: r.bytes(r.int(r.chance(0.1) ? 4000 : 120)) };
    if (roll < 0.09) return { kind: 'text', bytes: utf8.encode(randomPath(r)), text: true };
    if (roll < 0.28) {
      const req = r.chance(0.5) ? r.pick(this.templateMsgs) : randomRequest(r, r.pick(REQUEST_TYPES));
      let bytes = this.record(encodeMsg(requestMsg(this.msgId(i), req)));
      for (let n = 1 + r.int(3); n > 0; n--) bytes = mutate(bytes, r, r.pick(this.templates));
      return { kind: 'mutatedRecord', bytes };
    }
    if (roll < 0.5) {
      const req = r.chance(0.5) ? r.pick(this.templateMsgs) : randomRequest(r, r.pick(REQUEST_TYPES));
      let payload = encodeMsg(requestMsg(this.msgId(i), req));
      for (let n = 1 + r.int(2); n > 0; n--) payload = mutate(payload, r, payload);
      if (!payload.length) payload = new Uint8Array([0x0a, 0x00]);
      return { kind: 'mutatedMsg', bytes: this.record(payload) };
    }
    if (roll < 0.85) {
      const req = randomRequest(r, r.pick(REQUEST_TYPES));
      return { kind: 'randomPaths', bytes: this.record(encodeMsg(requestMsg(this.msgId(i), req))) };
    }
    if (roll < 0.95) return { kind: 'template', bytes: this.record(encodeMsg(requestMsg(this.msgId(i), r.pick(this.templateMsgs)))) };
    return { kind: 'crafted', bytes: this.crafted(i) };
  }

  /** Structural oddities a correct encoder never produces, and Records not meant for the agent. */
  private crafted(i: number): Uint8Array {
    const r = this.r;
    const id = this.msgId(i);
    const get = encodeMsg(requestMsg(id, { reqType: 'get', get: { paramPaths: ['Device.LocalAgent.EndpointID'], maxDepth: 0 } }));
    const header = pb.msg(1, pb.str(1, id), pb.vint(2, 1));
    const { agentId, controllerId } = this.addr;
    const envelope = (...body: Uint8Array[]) => cat(pb.str(1, '1.4'), pb.str(2, agentId), pb.str(3, controllerId), ...body);
    const addr = { toId: agentId, fromId: controllerId };
    switch (r.int(12)) {
      case 0:
        return this.record(get, { toId: 'proto::someone-else' });
      case 1:
        return this.record(get, { fromId: agentId });
      case 2:
        return this.record(get, { fromId: 'proto::not-the-connection' });
      case 3: {
        const sessionContext = { sessionId: 1n, sequenceId: 1n, expectedId: 1n, retransmitId: 0n, payloadSarState: 'NONE' as const, payloadrecSarState: 'NONE' as const, payload: [get] };
        return encodeRecord({ ...addr, body: { kind: 'sessionContext', sessionContext } });
      }
      case 4:
        return envelope(pb.msg(7, pb.len(2, get)), pb.msg(9)); // two record_type members
      case 5:
        return envelope(pb.msg(7)); // empty payload
      case 6:
        return this.record(cat(header, pb.msg(2, pb.msg(1, pb.msg(1, pb.str(1, 'Device.')), pb.msg(4, pb.vint(1, 1)))))); // two Request members
      case 7:
        return this.record(cat(header, pb.msg(2, pb.msg(1, pb.msg(99))))); // a newer request type
      case 8:
        return this.record(cat(header, pb.msg(2, pb.msg(2, pb.msg(99))))); // a newer response type
      case 9:
        return r.chance(0.5)
          ? this.record(cat(header, pb.msg(2, pb.msg(3, pb.vint(1, 7000))))) // fixed32 err_code sent as a varint: bad wire type
          : this.record(encodeMsg(errorMsg(id, 7000, 'controller-side failure'))); // a well-formed Error from the controller
      case 10: {
        const bodies = [{ kind: 'websocketConnect' as const }, { kind: 'disconnect' as const, reason: 'bye', reasonCode: 7105 }, { kind: 'udsConnect' as const }];
        return encodeRecord({ ...addr, body: r.pick(bodies) });
      }
      default:
        return this.record(cat(pb.msg(1, pb.str(1, id), pb.vint(2, 99)), pb.msg(2, pb.msg(1, pb.msg(1))))); // unknown msg_type enum
    }
  }
}

/** Decoder-only check of one input: returns a description of any non-UspError exception. */
export function decoderFault(bytes: Uint8Array): string | undefined {
  const attempt = (what: string, fn: () => unknown): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (e) {
      return e instanceof UspError ? undefined : `${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    }
  };
  return (
    attempt('decodeRecord', () => {
      const rec = decodeRecord(bytes);
      if (rec.body.kind === 'noSessionContext') decodeMsg(rec.body.payload);
    }) ?? attempt('decodeMsg', () => decodeMsg(bytes))
  );
}
