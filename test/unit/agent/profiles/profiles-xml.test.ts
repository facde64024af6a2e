/**
 * The profile report checked against an independent reading of the BBF XML
 * (vendor/bbf/tr181): this test parses the files with fast-xml-parser itself, in its own way
 * (not through tools/gen-schema), finds every `<profile>`, follows `base` and `extends` by
 * name, and compares with datamodel/schema/tr181-profiles.json and with what the report
 * computes for the simulated gateway.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkProfiles, servedModel, type ProfileReport } from '../../../../agent/profiles/check-profiles.js';
import { Agent } from '../../../../agent/Agent.js';
import { offlineModel } from '../../../../agent/profiles/offline-agent.js';
import { loadProfiles } from '../../../../agent/profiles/profiles-file.js';
import type { SupportedObjectResult } from '../../../../agent/codec/types.js';

const XML_DIR = fileURLToPath(new URL('../../../../vendor/bbf/tr181/', import.meta.url));

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, isArray: (_name, _jpath, _leaf, isAttribute) => !isAttribute, processEntities: false });
const attr = (n: Node, a: string): string | undefined => (typeof n[`@${a}`] === 'string' ? (n[`@${a}`] as string) : undefined);
const kids = (n: Node, tag: string): Node[] => (Array.isArray(n[tag]) ? (n[tag] as Node[]) : []);

interface Found {
  el: Node;
  file: string;
  prefix: string;
}

/**
 * Files imported without their component being placed in Device:2.19: the common file binds
 * the name ETSIM2M, but its model never references it (no Device.ETSIM2M. in the schema), so
 * ETSIM2MSCLBaseline:1 is no profile of the USP model.
 */
const NOT_IN_MODEL = ['tr-181-2-18-0-etsim2m.xml'];

/**
 * Every <profile> in every file. IoT's profiles name objects relative to the component the USP
 * root places at "Device." (<component ref="IoT_ObjectComponent" path="Device."/>); all others
 * use full paths.
 */
function allProfiles(): Found[] {
  const out: Found[] = [];
  const walk = (n: Node, file: string): void => {
    for (const [k, v] of Object.entries(n)) {
      if (!Array.isArray(v)) continue;
      for (const child of v as unknown[]) {
        if (typeof child !== 'object' || child === null) continue;
        if (k === 'profile') out.push({ el: child as Node, file, prefix: file.includes('-iot.xml') ? 'Device.' : '' });
        else walk(child as Node, file);
      }
    }
  };
  for (const f of fs.readdirSync(XML_DIR).filter((x) => x.endsWith('.xml') && !NOT_IN_MODEL.includes(x))) walk(parser.parse(fs.readFileSync(path.join(XML_DIR, f), 'utf8')) as Node, f);
  return out;
}

const found = allProfiles();
const byName = new Map<string, Found>();
for (const f of found) if (attr(f.el, 'name') !== undefined && !byName.has(attr(f.el, 'name')!)) byName.set(attr(f.el, 'name')!, f);

/** Flat requirements: "path" → object requirement, "path|Param" → param requirement, "path|Cmd()"/"path|Ev!" → "". */
type Flat = Map<string, string>;
const OBJ_RANK: Record<string, number> = { notSpecified: 0, present: 1, create: 2, delete: 2, createDelete: 3 };
const PARAM_RANK: Record<string, number> = { readOnly: 0, writeOnceReadOnly: 1, readWrite: 2 };

function flatten(name: string): Flat {
  const f = byName.get(name);
  if (f === undefined) throw new Error(`no profile ${name}`);
  const out: Flat = new Map();
  const inherit = [attr(f.el, 'base'), ...(attr(f.el, 'extends') ?? '').split(/\s+/)].filter((x): x is string => !!x);
  for (const other of inherit) {
    for (const [k, v] of flatten(other)) {
      const old = out.get(k);
      const rank = k.includes('|') ? PARAM_RANK : OBJ_RANK;
      if (old === undefined || (rank[v] ?? 0) > (rank[old] ?? 0) || (old === 'create' && v === 'delete') || (old === 'delete' && v === 'create')) {
        out.set(k, (old === 'create' && v === 'delete') || (old === 'delete' && v === 'create') ? 'createDelete' : v);
      }
    }
  }
  const items = (objPath: string, n: Node): void => {
    for (const p of kids(n, 'parameter')) {
      const key = `${objPath}|${attr(p, 'ref')}`;
      if (attr(p, 'status') === 'deleted') {
        out.delete(key);
        continue;
      }
      const r = attr(p, 'requirement')!;
      if (!out.has(key) || PARAM_RANK[r]! > PARAM_RANK[out.get(key)!]!) out.set(key, r);
    }
    for (const c of [...kids(n, 'command'), ...kids(n, 'event')]) {
      if (attr(c, 'status') === 'deleted') out.delete(`${objPath}|${attr(c, 'ref')}`);
      else out.set(`${objPath}|${attr(c, 'ref')}`, '');
    }
  };
  for (const o of kids(f.el, 'object')) {
    const p = f.prefix + attr(o, 'ref')!;
    if (attr(o, 'status') === 'deleted') {
      for (const k of [...out.keys()]) if (k === p || k.startsWith(`${p}|`)) out.delete(k);
      continue;
    }
    const r = attr(o, 'requirement')!;
    const old = out.get(p);
    out.set(p, old === undefined ? r : (old === 'create' && r === 'delete') || (old === 'delete' && r === 'create') ? 'createDelete' : OBJ_RANK[r]! > OBJ_RANK[old]! ? r : old);
    items(p, o);
  }
  if (f.prefix !== '' && kids(f.el, 'parameter').length > 0) {
    if (!out.has(f.prefix)) out.set(f.prefix, 'present');
    items(f.prefix, f.el);
  }
  return out;
}

/** The generated file's profile in the same flat form. */
function generatedFlat(name: string): Flat {
  const p = loadProfiles().profiles.find((x) => x.name === name);
  if (p === undefined) throw new Error(`${name} not generated`);
  const out: Flat = new Map();
  for (const o of p.objects) {
    out.set(o.path, o.requirement);
    for (const q of o.params) out.set(`${o.path}|${q.name}`, q.requirement);
    for (const c of o.commands) out.set(`${o.path}|${c.name}`, '');
    for (const e of o.events) out.set(`${o.path}|${e.name}`, '');
  }
  return out;
}

const publicCurrent = [...byName.values()].filter((f) => !['deleted', 'obsoleted'].includes(attr(f.el, 'status') ?? '') && !attr(f.el, 'name')!.startsWith('_'));

describe('tr181-profiles.json against the XML read independently', () => {
  it('has every profile TR-181 2.19.1 defines: 243 not deleted, of which MoCA:1 is obsoleted and _Baseline:4 internal', () => {
    const notDeleted = [...byName.values()].filter((f) => attr(f.el, 'status') !== 'deleted').map((f) => attr(f.el, 'name'));
    expect(notDeleted).toHaveLength(243);
    const file = loadProfiles();
    expect(file.skipped.obsoleted).toEqual(['MoCA:1']);
    expect(file.skipped.internal).toEqual(['_Baseline:4']);
    expect(file.profiles.map((p) => p.name).sort()).toEqual(publicCurrent.map((f) => attr(f.el, 'name')).sort());
    expect(file.skipped.deleted.sort()).toEqual(
      [...byName.values()]
        .filter((f) => attr(f.el, 'status') === 'deleted')
        .map((f) => attr(f.el, 'name'))
        .sort(),
    );
  });

  it('requires, for every profile, the same objects, parameters, commands and events with the same requirements', () => {
    for (const f of publicCurrent) {
      const name = attr(f.el, 'name')!;
      expect(Object.fromEntries(generatedFlat(name)), name).toEqual(Object.fromEntries(flatten(name)));
    }
  });

  it('spot checks: Baseline:4 through _Baseline:4, IoT relative paths, extends and base chains', () => {
    const baseline = flatten('Baseline:4');
    expect(baseline.get('Device.|RootDataModelVersion')).toBe('readOnly');
    expect(baseline.get('Device.InterfaceStack.{i}.')).toBe('present');
    expect(baseline.get('Device.DNS.Client.Server.{i}.')).toBe('createDelete');
    expect(flatten('BinaryControl:1').get('Device.IoTCapability.{i}.BinaryControl.|Value')).toBe('readWrite');
    expect(flatten('CellularInterfaceExtended:2').get('Device.Cellular.AccessPoint.{i}.')).toBe('createDelete');
    expect(flatten('USPAgent:1').get('Device.|Reboot()')).toBe('');
    expect(flatten('WiFiSSID:2').get('Device.WiFi.SSID.{i}.|MLDUnit')).toBe('readWrite');
  });
});

/**
 * Independently: the items of `name` the served model lacks or serves too weakly (one per
 * object not served, table that cannot add/delete as required, parameter absent or read-only
 * when it must be writable, command or event absent).
 */
function independentMisses(name: string, served: readonly SupportedObjectResult[]): number {
  const byPath = new Map(served.map((o) => [o.supportedObjPath, o]));
  let misses = 0;
  const flat = flatten(name);
  for (const [k, r] of flat) {
    const [objPath, item] = k.split('|') as [string, string | undefined];
    const o = byPath.get(objPath);
    if (item === undefined) {
      const listsItems = [...flat.keys()].some((x) => x.startsWith(`${objPath}|`));
      if (o === undefined) {
        if (r !== 'notSpecified' || listsItems) misses++;
        continue;
      }
      const add = o.access === 'OBJ_ADD_DELETE' || o.access === 'OBJ_ADD_ONLY';
      const del = o.access === 'OBJ_ADD_DELETE' || o.access === 'OBJ_DELETE_ONLY';
      if (((r === 'create' || r === 'createDelete') && !add) || ((r === 'delete' || r === 'createDelete') && !del)) misses++;
    } else if (o !== undefined) {
      if (item.endsWith('()')) {
        if (!o.supportedCommands?.some((c) => c.commandName === item)) misses++;
        continue;
      }
      if (item.endsWith('!')) {
        if (!o.supportedEvents?.some((e) => e.eventName === item)) misses++;
        continue;
      }
      const p = o.supportedParams?.find((x) => x.paramName === item);
      if (p === undefined || (r !== 'readOnly' && p.access === 'PARAM_READ_ONLY')) misses++;
    }
  }
  return misses;
}

describe('the report for the simulated gateway against an independent count', () => {
  let served: SupportedObjectResult[];
  let report: ProfileReport;
  beforeAll(async () => {
    served = (await offlineModel('simulated', (o) => Agent.start(o))).served;
    const file = loadProfiles();
    report = checkProfiles(file.model, file.profiles, servedModel(served));
  }, 30_000);

  it('counts the same missing items for every profile (arguments of served commands and events aside)', () => {
    for (const r of report.results) {
      const counted = r.missing.filter((m) => m.kind !== 'command-argument' && m.kind !== 'event-argument').length;
      expect({ profile: r.name, missing: counted }).toEqual({ profile: r.name, missing: independentMisses(r.name, served) });
    }
  });

  it('names the misses a buyer checks first: WiFiRadio:1 without Radio Stats, CellularInterfaceBase:2 without APN creation', () => {
    const wifi = report.results.find((r) => r.name === 'WiFiRadio:1')!;
    const cell = report.results.find((r) => r.name === 'CellularInterfaceBase:2')!;
    // Whatever depth is added later, the report and the independent count agree on these two.
    expect(wifi.met).toBe(independentMisses('WiFiRadio:1', served) === 0);
    expect(cell.met).toBe(independentMisses('CellularInterfaceBase:2', served) === 0);
    expect(report.met.length).toBeGreaterThan(0);
  });
});
