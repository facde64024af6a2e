/**
 * Shapes of the generated TR-181 profiles (datamodel/schema/tr181-profiles.json), written by
 * tools/gen-schema/profiles.ts from the `<profile>` elements of the BBF XML (TR-106 Annex A
 * "Profile Definition"). Each profile is flattened: what its `base` and `extends` profiles
 * require is already merged in, so a reader needs no other profile to judge one.
 *
 * The file is not read by the running agent's start: only `usp-agent profiles` and the vendor
 * parameter `X_<VENDOR>_Profiles` (agent/profiles/) load it, when asked.
 */

/**
 * What a profile asks of an object (TR-106 Annex A): `present` that it is supported, `create`
 * / `delete` / `createDelete` that a Controller can add / delete / add and delete rows,
 * `notSpecified` nothing of the object itself (only the items listed under it).
 */
export type ObjectRequirement = 'notSpecified' | 'present' | 'create' | 'delete' | 'createDelete';

/** What a profile asks of a parameter: readable, writable, or writable once (at creation). */
export type ParamRequirement = 'readOnly' | 'writeOnceReadOnly' | 'readWrite';

export interface ProfileParam {
  name: string;
  requirement: ParamRequirement;
}

export interface ProfileCommand {
  /** "Reboot()". */
  name: string;
  /** Input argument names the profile lists ("Result.{i}.Name" for an argument in a table). */
  input: string[];
  output: string[];
}

export interface ProfileEvent {
  /** "Boot!". */
  name: string;
  args: string[];
}

export interface ProfileObject {
  /** Supported path, e.g. "Device.WiFi.Radio.{i}.". */
  path: string;
  requirement: ObjectRequirement;
  params: ProfileParam[];
  commands: ProfileCommand[];
  events: ProfileEvent[];
}

export interface SchemaProfile {
  /** "Baseline:4": the profile name and its version number. */
  name: string;
  /** The TR-181 version that introduced it ("2.15"). */
  version: string;
  status?: 'deprecated';
  /** The profile this one is based on (all of its requirements are included). */
  base?: string;
  /** Profiles this one extends (all of their requirements are included). */
  extends?: string[];
  /** Every requirement, base and extends merged, objects in document order. */
  objects: ProfileObject[];
}

/** What the generator left out of the file, and why. */
export interface SkippedProfiles {
  /** status="deleted" in TR-181 2.19.1. */
  deleted: string[];
  /** status="obsoleted". */
  obsoleted: string[];
  /** Names starting with "_": internal building blocks folded into the public profiles ("_Baseline:4" into "Baseline:4"). */
  internal: string[];
}

/** The whole generated file. */
export interface ProfilesFile {
  /** The model the profiles belong to ("Device:2.19"). */
  model: string;
  skipped: SkippedProfiles;
  /** Public, current or deprecated profiles, in document order. */
  profiles: SchemaProfile[];
}
