/**
 * A data model with Device.LocalAgent (stored), the built-in commands and the simulated platform,
 * seeded from factory-defaults entries, for the access-control unit tests.
 */
import { AccessControl } from '../../../../agent/access/AccessControl.js';
import { registerBuiltinCommands } from '../../../../agent/builtin-commands.js';
import { applyDefaults, type DefaultsFile } from '../../../../agent/defaults/apply-defaults.js';
import { registerLocalAgent } from '../../../../agent/localagent/register-local-agent.js';
import type { AccessView, InstanceAccess } from '../../../../datamodel/access/AccessView.js';
import { parsePath } from '../../../../datamodel/path/parse-path.js';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import { DataStore } from '../../../../datamodel/store/DataStore.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { PathResolver } from '../../../../datamodel/tree/resolve-path.js';
import { registerSimulatedPlatform } from '../../../../platform/simulated/index.js';

const schema = Schema.load();
const ROLE = 'Device.LocalAgent.ControllerTrust.Role';

export interface PermissionRow {
  order: number;
  targets: string;
  /** Param, Obj, InstantiatedObj, CommandEvent; default "----" each. */
  param?: string;
  obj?: string;
  inst?: string;
  ce?: string;
  enable?: boolean;
}

/** Factory-defaults entries for Role.{n} with its Permission rows (numbered from 1). */
export function role(n: number, name: string, rows: PermissionRow[], enable = true): DefaultsFile {
  const out: DefaultsFile = { [`${ROLE}.${n}.Name`]: name, [`${ROLE}.${n}.Enable`]: enable };
  rows.forEach((r, i) => {
    const p = `${ROLE}.${n}.Permission.${i + 1}.`;
    out[`${p}Enable`] = r.enable ?? true;
    out[`${p}Order`] = r.order;
    out[`${p}Targets`] = r.targets;
    out[`${p}Param`] = r.param ?? '----';
    out[`${p}Obj`] = r.obj ?? '----';
    out[`${p}InstantiatedObj`] = r.inst ?? '----';
    out[`${p}CommandEvent`] = r.ce ?? '----';
  });
  return out;
}

export const roleRef = (...n: number[]): string => n.map((i) => `${ROLE}.${i}`).join(',');

export interface AccessFixture {
  model: DataModel;
  access: AccessControl;
  /** The request view of a controller with these roles (e.g. roleRef(2, 3)). */
  view(roles: string): Promise<AccessView>;
  /** Rights on the object at a concrete path ("Device.WiFi.Radio.1."). */
  at(view: AccessView, objectPath: string): Promise<InstanceAccess>;
  stop(): void;
}

export async function accessFixture(defaults: DefaultsFile): Promise<AccessFixture> {
  const model = new DataModel(schema);
  const store = new DataStore();
  registerLocalAgent(model, store, { softwareVersion: '0', startedAt: Date.now(), supportedProtocols: 'WebSocket', now: () => new Date() });
  registerBuiltinCommands(model, { restart: () => undefined });
  const sim = registerSimulatedPlatform(model, { seed: 42, now: () => Date.UTC(2025, 2, 10) });
  await applyDefaults(model, { 'Device.LocalAgent.EndpointID': 'proto::unit', ...defaults });
  const access = new AccessControl(model);
  return {
    model,
    access,
    view: async (roles) => (await access.permissionsFor(roles)).view(),
    at: async (view, objectPath) => {
      const [m] = await new PathResolver(model, {}).resolve(parsePath(objectPath));
      if (!m || m.table) throw new Error(`no object ${objectPath}`);
      return view.instance(m);
    },
    stop: () => sim.stop(),
  };
}
