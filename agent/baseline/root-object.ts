/**
 * Device. itself (TR-181 Baseline:4): RootDataModelVersion says which TR-181 release the tree
 * follows. It comes from the generated schema's model name ("Device:2.19" → "2.19"), so moving
 * to a newer TR-181 cannot leave it stale. The NumberOfEntries parameters of Device. are derived
 * from the tables that are served (DataModel), not stored here.
 */
import type { SchemaParam } from '../../datamodel/schema/types.js';
import type { DataModel } from '../../datamodel/tree/DataModel.js';
import type { ObjectBinding } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';

/** "Device:2.19" → "2.19" (the TR-181 `RootDataModelVersion` pattern is `2\.\d+`). */
export function rootDataModelVersion(modelName: string): string {
  const m = /^Device:(\d+\.\d+)/.exec(modelName);
  if (!m) throw new Error(`the schema's model name ${JSON.stringify(modelName)} is not "Device:<major>.<minor>"`);
  return m[1];
}

/** With a vendor prefix, Device. also serves `X_<VENDOR>_Profiles` (agent/profiles/profiles-param.ts). */
export interface MetProfilesParam {
  param: SchemaParam;
  value: () => Promise<string>;
}

export function registerRootObject(model: DataModel, modelName: string, profiles?: MetProfilesParam): void {
  const version = rootDataModelVersion(modelName);
  model.register('Device.', new RootBinding(version, profiles), { vendorParams: profiles ? [profiles.param] : [] });
}

const ROOT_PARAMS = ['RootDataModelVersion'] as const;

/** Device.'s own parameters; a class, so its method and parameter list are one copy for a fleet (issue 14). */
class RootBinding implements ObjectBinding {
  readonly params: readonly string[] = ROOT_PARAMS;
  readonly changesOnlyThroughAgent = true;

  constructor(
    private readonly version: string,
    private readonly profiles: MetProfilesParam | undefined,
  ) {}

  async get(): Promise<Record<string, Value>> {
    const { profiles } = this;
    return { RootDataModelVersion: this.version, ...(profiles && { [profiles.param.name]: await profiles.value() }) };
  }
}
