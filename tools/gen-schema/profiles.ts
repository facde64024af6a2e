/**
 * TR-181 profiles (TR-106 Annex A "Profile Definition") from the `<profile>` elements the model
 * builder met, flattened for datamodel/schema/tr181-profiles.json (docs/schema.md, "Profiles").
 *
 * - A profile with `base="X"` includes everything X requires; `extends="A B"` includes
 *   everything A and B require. Both chains are followed to the end, then the profile's own
 *   requirements are applied. Where two say different things about one item, the stronger wins
 *   (createDelete over create or delete, readWrite over readOnly): a profile can only add.
 * - `status="deleted"` on an item inside a profile removes it from the inherited requirements.
 * - Profiles in component files name objects relative to the component's path (IoT's
 *   `IoTCapability.{i}.` under `Device.`); top-level `<parameter ref>` belong to that object.
 * - Deleted and obsoleted profiles are left out; so are internal ones ("_Baseline:4"), whose
 *   requirements reach the public profiles through `extends`. The file says which were left out.
 */
import type { ObjectRequirement, ParamRequirement, ProfileObject, ProfilesFile, SchemaProfile } from '../../datamodel/schema/profile-types.js';
import type { SchemaFile } from '../../datamodel/schema/types.js';
import { childrenNamed, type XmlElement } from './xml.js';

/** A `<profile>` as the model builder met it. */
export interface ProfileDefinition {
  el: XmlElement;
  /** The file it is written in (for messages). */
  file: string;
  /** Path prefix of the component it sits in ("" at model level, "Device." for IoT's). */
  prefix: string;
}

interface CommandReq {
  input: Set<string>;
  output: Set<string>;
}
interface ObjectReq {
  requirement: ObjectRequirement;
  params: Map<string, ParamRequirement>;
  commands: Map<string, CommandReq>;
  events: Map<string, Set<string>>;
}
/** Requirements by object path, in the order first required. */
type Requirements = Map<string, ObjectReq>;

const OBJECT_REQUIREMENTS: readonly ObjectRequirement[] = ['notSpecified', 'present', 'create', 'delete', 'createDelete'];
const PARAM_RANK: Record<ParamRequirement, number> = { readOnly: 0, writeOnceReadOnly: 1, readWrite: 2 };

/** The stronger of two object requirements; create and delete together make createDelete. */
export function strongerObject(a: ObjectRequirement, b: ObjectRequirement): ObjectRequirement {
  const adds = (r: ObjectRequirement): boolean => r === 'create' || r === 'createDelete';
  const deletes = (r: ObjectRequirement): boolean => r === 'delete' || r === 'createDelete';
  const add = adds(a) || adds(b);
  const del = deletes(a) || deletes(b);
  if (add && del) return 'createDelete';
  if (add) return 'create';
  if (del) return 'delete';
  return a === 'present' || b === 'present' ? 'present' : 'notSpecified';
}

function strongerParam(a: ParamRequirement | undefined, b: ParamRequirement): ParamRequirement {
  return a !== undefined && PARAM_RANK[a] >= PARAM_RANK[b] ? a : b;
}

function emptyObject(requirement: ObjectRequirement): ObjectReq {
  return { requirement, params: new Map(), commands: new Map(), events: new Map() };
}

/** Adds `from` into `into` (both flattened), keeping the stronger requirement of each item. */
function merge(into: Requirements, from: Requirements): void {
  for (const [path, o] of from) {
    let t = into.get(path);
    if (t === undefined) into.set(path, (t = emptyObject(o.requirement)));
    t.requirement = strongerObject(t.requirement, o.requirement);
    for (const [n, r] of o.params) t.params.set(n, strongerParam(t.params.get(n), r));
    for (const [n, c] of o.commands) {
      const tc = t.commands.get(n) ?? { input: new Set<string>(), output: new Set<string>() };
      for (const a of c.input) tc.input.add(a);
      for (const a of c.output) tc.output.add(a);
      t.commands.set(n, tc);
    }
    for (const [n, args] of o.events) t.events.set(n, new Set([...(t.events.get(n) ?? []), ...args]));
  }
}

/**
 * Spec defects in the profiles of TR-181 2.19.1, corrected after flattening. Each says why; one
 * that no longer matches (a newer XML fixed it) is a warning, so it cannot outlive the defect.
 */
export const PROFILE_CORRECTIONS: readonly { object: string; command: string; arg: string; listedIn: 'input' | 'output'; why: string }[] = [
  {
    object: 'Device.IP.Diagnostics.',
    command: 'UploadDiagnostics()',
    arg: 'TestFileLength',
    listedIn: 'output',
    why: 'Upload:1 (and the profiles built on it) lists TestFileLength under <output>; the command has it as an input argument (the file size to send)',
  },
];

const deleted = (el: XmlElement): boolean => el.attrs.status === 'deleted';

/** Argument names under `<input>`, `<output>` or `<event>`: parameters, and parameters of relative objects ("Result.{i}.Name"). */
function argumentNames(el: XmlElement): { add: string[]; remove: string[] } {
  const add: string[] = [];
  const remove: string[] = [];
  const visit = (e: XmlElement, prefix: string): void => {
    for (const c of e.children) {
      if (c.tag === 'parameter' && c.attrs.ref !== undefined) (deleted(c) ? remove : add).push(prefix + c.attrs.ref);
      else if (c.tag === 'object' && c.attrs.ref !== undefined && !deleted(c)) visit(c, prefix + c.attrs.ref);
    }
  };
  visit(el, '');
  return { add, remove };
}

/** Flattens the profile definitions the model builder collected (module comment: the rules). */
export class ProfileResolver {
  /** Profiles written in a way this resolver does not understand, and references to items the model lacks. */
  readonly warnings: string[] = [];
  private readonly byName = new Map<string, ProfileDefinition>();
  private readonly resolved = new Map<string, Requirements>();
  private readonly resolving = new Set<string>();

  constructor(
    private readonly definitions: readonly ProfileDefinition[],
    private readonly schema: SchemaFile,
  ) {
    for (const d of definitions) {
      const name = d.el.attrs.name;
      if (name === undefined) {
        this.warnings.push(`${d.file}: <profile> without a name, ignored`);
        continue;
      }
      // A component met twice at model level defines its profiles twice, identically.
      if (!this.byName.has(name)) this.byName.set(name, d);
    }
  }

  /** Every requirement of `name`, base and extends included. */
  private requirements(name: string): Requirements {
    const done = this.resolved.get(name);
    if (done !== undefined) return done;
    const def = this.byName.get(name);
    if (def === undefined) {
      this.warnings.push(`profile ${name} is referenced but not defined`);
      return new Map();
    }
    if (this.resolving.has(name)) throw new Error(`${def.file}: profile ${name} includes itself through base/extends`);
    this.resolving.add(name);
    const out: Requirements = new Map();
    const base = def.el.attrs.base;
    if (base !== undefined) merge(out, this.requirements(base));
    for (const ext of (def.el.attrs.extends ?? '').split(/\s+/).filter((s) => s !== '')) merge(out, this.requirements(ext));
    this.applyOwn(out, def);
    this.resolving.delete(name);
    this.resolved.set(name, out);
    return out;
  }

  /** The profile's own `<object>`, `<parameter>`, `<command>` and `<event>` elements. */
  private applyOwn(out: Requirements, def: ProfileDefinition): void {
    const where = `${def.file}: profile ${def.el.attrs.name}`;
    const objectAt = (path: string, requirement: ObjectRequirement): ObjectReq => {
      let o = out.get(path);
      if (o === undefined) out.set(path, (o = emptyObject(requirement)));
      else o.requirement = strongerObject(o.requirement, requirement);
      return o;
    };
    for (const c of def.el.children) {
      if (c.tag === 'object') {
        const path = def.prefix + (c.attrs.ref ?? '');
        if (deleted(c)) {
          out.delete(path);
          continue;
        }
        const requirement = c.attrs.requirement as ObjectRequirement | undefined;
        if (requirement === undefined || !OBJECT_REQUIREMENTS.includes(requirement)) {
          this.warnings.push(`${where}: object ${path} has requirement ${String(requirement)}`);
          continue;
        }
        this.applyItems(objectAt(path, requirement), c.children, `${where}: ${path}`);
      } else if (c.tag === 'parameter' || c.tag === 'command' || c.tag === 'event') {
        // Items of the component's own object (IoT: IoTCapabilityNumberOfEntries of Device.).
        if (def.prefix === '') {
          this.warnings.push(`${where}: ${c.tag} ${c.attrs.ref} outside an object`);
          continue;
        }
        this.applyItems(objectAt(def.prefix, 'present'), [c], `${where}: ${def.prefix}`);
      }
    }
  }

  private applyItems(o: ObjectReq, items: readonly XmlElement[], where: string): void {
    for (const c of items) {
      const name = c.attrs.ref;
      if (name === undefined) continue;
      if (c.tag === 'parameter') {
        if (deleted(c)) {
          o.params.delete(name);
          continue;
        }
        const r = c.attrs.requirement as ParamRequirement | undefined;
        if (r === undefined || !(r in PARAM_RANK)) {
          this.warnings.push(`${where}${name}: requirement ${String(r)}`);
          continue;
        }
        o.params.set(name, strongerParam(o.params.get(name), r));
      } else if (c.tag === 'command') {
        if (deleted(c)) {
          o.commands.delete(name);
          continue;
        }
        const cmd = o.commands.get(name) ?? { input: new Set<string>(), output: new Set<string>() };
        for (const [tag, set] of [
          ['input', cmd.input],
          ['output', cmd.output],
        ] as const) {
          for (const list of childrenNamed(c, tag)) {
            const { add, remove } = argumentNames(list);
            for (const a of add) set.add(a);
            for (const a of remove) set.delete(a);
          }
        }
        o.commands.set(name, cmd);
      } else if (c.tag === 'event') {
        if (deleted(c)) {
          o.events.delete(name);
          continue;
        }
        const args = o.events.get(name) ?? new Set<string>();
        const { add, remove } = argumentNames(c);
        for (const a of add) args.add(a);
        for (const a of remove) args.delete(a);
        o.events.set(name, args);
      }
    }
  }

  /** Moves the arguments PROFILE_CORRECTIONS names to the side the command has them; returns the corrections used. */
  private correct(profile: SchemaProfile, used: Set<number>): void {
    for (const [i, c] of PROFILE_CORRECTIONS.entries()) {
      const cmd = profile.objects.find((o) => o.path === c.object)?.commands.find((x) => x.name === c.command);
      const from = cmd?.[c.listedIn];
      if (cmd === undefined || from === undefined || !from.includes(c.arg)) continue;
      cmd[c.listedIn] = from.filter((a) => a !== c.arg);
      const to = cmd[c.listedIn === 'input' ? 'output' : 'input'];
      if (!to.includes(c.arg)) to.push(c.arg);
      used.add(i);
    }
  }

  /** Checks every required item against the generated model: a profile must name what exists. */
  private check(profile: SchemaProfile): void {
    const objects = new Map(this.schema.objects.map((o) => [o.path, o]));
    for (const req of profile.objects) {
      const o = objects.get(req.path);
      const at = `profile ${profile.name}: ${req.path}`;
      if (o === undefined) {
        this.warnings.push(`${at} is not in the model`);
        continue;
      }
      for (const p of req.params) if (!o.params.some((q) => q.name === p.name)) this.warnings.push(`${at}${p.name} is not in the model`);
      for (const c of req.commands) {
        const sc = o.commands.find((x) => x.name === c.name);
        if (sc === undefined) {
          this.warnings.push(`${at}${c.name} is not in the model`);
          continue;
        }
        for (const a of c.input) if (!sc.input.some((x) => x.name === a)) this.warnings.push(`${at}${c.name} input ${a} is not in the model`);
        for (const a of c.output) if (!sc.output.some((x) => x.name === a)) this.warnings.push(`${at}${c.name} output ${a} is not in the model`);
      }
      for (const e of req.events) {
        const se = o.events.find((x) => x.name === e.name);
        if (se === undefined) {
          this.warnings.push(`${at}${e.name} is not in the model`);
          continue;
        }
        for (const a of e.args) if (!se.args.some((x) => x.name === a)) this.warnings.push(`${at}${e.name} argument ${a} is not in the model`);
      }
    }
  }

  /** The file's content: public current/deprecated profiles, flattened, and what was left out. */
  resolve(): ProfilesFile {
    const file: ProfilesFile = { model: this.schema.model, skipped: { deleted: [], obsoleted: [], internal: [] }, profiles: [] };
    const corrected = new Set<number>();
    for (const [name, def] of this.byName) {
      const status = def.el.attrs.status ?? 'current';
      if (status === 'deleted') {
        file.skipped.deleted.push(name);
        continue;
      }
      if (status === 'obsoleted') {
        file.skipped.obsoleted.push(name);
        continue;
      }
      if (name.startsWith('_')) {
        file.skipped.internal.push(name);
        continue;
      }
      const a = def.el.attrs;
      const profile = { name, version: a.version ?? '' } as SchemaProfile;
      if (status === 'deprecated') profile.status = 'deprecated';
      if (a.base !== undefined) profile.base = a.base;
      const ext = (a.extends ?? '').split(/\s+/).filter((s) => s !== '');
      if (ext.length > 0) profile.extends = ext;
      profile.objects = [...this.requirements(name)].map(([path, o]): ProfileObject => ({
        path,
        requirement: o.requirement,
        params: [...o.params].map(([n, requirement]) => ({ name: n, requirement })),
        commands: [...o.commands].map(([n, c]) => ({ name: n, input: [...c.input], output: [...c.output] })),
        events: [...o.events].map(([n, args]) => ({ name: n, args: [...args] })),
      }));
      this.correct(profile, corrected);
      this.check(profile);
      file.profiles.push(profile);
    }
    for (const [i, c] of PROFILE_CORRECTIONS.entries()) {
      if (!corrected.has(i)) this.warnings.push(`profile correction ${c.object}${c.command} ${c.arg}: no profile lists it under ${c.listedIn} any more; remove the correction`);
    }
    return file;
  }
}

/** One profile per line, so a regeneration diffs profile by profile. */
export function serializeProfiles(file: ProfilesFile): string {
  const lines = file.profiles.map((p) => JSON.stringify(p));
  return `{"model":${JSON.stringify(file.model)},"skipped":${JSON.stringify(file.skipped)},"profiles":[\n${lines.join(',\n')}\n]}\n`;
}
