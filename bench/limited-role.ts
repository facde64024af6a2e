/**
 * A limited ControllerTrust role (TR-181 ControllerTrust.Role.{i}.Permission.{i}) with the target
 * kinds that cost most to check: whole subtrees, search expressions, wildcards and instance
 * numbers, some overriding others by Order. The access-control integration test checks what it
 * allows; the bench measures what checking it costs on a whole-tree Get.
 */
import type { DefaultsFile } from '../agent/defaults/apply-defaults.js';

const ROLE = 'Device.LocalAgent.ControllerTrust.Role';

/** Permission rows: [Order, Targets, Param, Obj, InstantiatedObj, CommandEvent]. */
export const LIMITED_PERMISSIONS: PermissionRows = [
  [1, 'Device.', 'r---', 'r---', 'r---', 'r---'],
  [2, 'Device.LocalAgent.ControllerTrust.', '----', '----', '----', '----'],
  [3, 'Device.LocalAgent.Subscription.', 'rw--', 'rw--', 'rw--', '----'],
  [4, 'Device.DeviceInfo.SerialNumber', '----', '----', '----', '----'],
  [5, 'Device.ScheduleTimer()', '----', '----', '----', 'r-x-'],
  [6, 'Device.WiFi.SSID.[Name=="wl0.1"].', 'rw--', 'r---', 'r---', '----'],
  [7, 'Device.WiFi.Radio.3.', '----', '----', '----', '----'],
  [8, 'Device.LocalAgent.Subscription.*.NotifRetry', 'r---', '----', '----', '----'],
  [9, 'Device.WiFi.SSID.*.BSSID', '----', '----', '----', '----'],
  [10, 'Device.WiFi.SSID.4.Enable', '-w--', '----', '----', '----'],
  [11, 'Device.LocalAgent.Subscription.[Recipient=="Device.LocalAgent.Controller.1"].', '----', '----', '----', '----'],
];

/** Permission rows as [Order, Targets, Param, Obj, InstantiatedObj, CommandEvent]. */
export type PermissionRows = ReadonlyArray<readonly [number, string, string, string, string, string]>;

/** Factory defaults for an enabled Role.`n` called `name` with one enabled Permission row per entry of `rows`. */
export function roleDefaults(n: number, name: string, rows: PermissionRows): DefaultsFile {
  const out: DefaultsFile = { [`${ROLE}.${n}.Name`]: name, [`${ROLE}.${n}.Enable`]: true };
  rows.forEach(([order, targets, param, obj, inst, ce], i) => {
    const p = `${ROLE}.${n}.Permission.${i + 1}.`;
    Object.assign(out, { [`${p}Enable`]: true, [`${p}Order`]: order, [`${p}Targets`]: targets, [`${p}Param`]: param, [`${p}Obj`]: obj, [`${p}InstantiatedObj`]: inst, [`${p}CommandEvent`]: ce });
  });
  return out;
}

/** Factory defaults for Role.`n` named "Limited" with LIMITED_PERMISSIONS. */
export function limitedRole(n = 2): DefaultsFile {
  return roleDefaults(n, 'Limited', LIMITED_PERMISSIONS);
}
