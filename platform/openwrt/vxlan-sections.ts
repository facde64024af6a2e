/**
 * The netifd interface sections behind Device.VXLAN.Tunnel.{i}.Interface.{i}. on OpenWrt: what a
 * row wants in `/etc/config/network`, and the UCI steps that make the sections the agent owns
 * what the rows want. Pure: no uci or ubus is run here (vxlan.ts runs the steps).
 *
 * Each Interface is one `config interface 'usp_vxlan_<T>_<I>'` of the `vxlan` package's protocol
 * handler (`proto vxlan`, or `proto vxlan6` for an IPv6 delivery header). The handler names the
 * kernel device after the section, so the name must fit IFNAMSIZ (15 characters): instance
 * numbers up to 99 always do; a longer name (numbers grown by many Adds and Deletes) is refused
 * with 7005. Only sections of that name pattern are ever changed or deleted: the router's own
 * VXLAN interfaces are left alone.
 *
 * Options (the handler's own names): `peeraddr`/`peer6addr` the RemoteEndpoints address in use,
 * `port` RemotePort, `vid` the VNI, `srcportmin` a fixed SourcePort (netifd then gives the
 * kernel the range [P, P+1), one port), `tos` the DefaultDSCPMark (see netifdTos), `tunlink`
 * the netifd interface LowerLayers names (without it the handler takes the WAN's address), and
 * `disabled '1'` while the Interface, its Tunnel or the endpoint is missing, so netifd makes no
 * device then (as Linux deletes its device).
 */
import { endpointsOf } from '../vxlan-rules.js';
import type { Row } from '../stored-table.js';
import type { UciSection } from './uci-show.js';
import type { UciStage } from './uci.js';

/** The section (and kernel device) names of the agent's VXLAN interfaces. */
export const VXLAN_SECTION_RE = /^usp_vxlan_(\d+)_(\d+)$/;

/** The longest kernel device name (IFNAMSIZ less its NUL). */
export const MAX_DEVICE_NAME = 15;

/** The netifd section (and device) of Tunnel `t`'s Interface `i`. */
export function vxlanSectionName(t: number, i: number): string {
  return `usp_vxlan_${t}_${i}`;
}

/**
 * "Device.VXLAN.Tunnel.T.Interface.I" of netifd interface `name` when it is one of the agent's
 * VXLAN sections: the LowerLayers of the IP.Interface netifd shows for it.
 */
export function vxlanInterfacePath(name: string | undefined): string | undefined {
  const m = VXLAN_SECTION_RE.exec(name ?? '');
  return m ? `Device.VXLAN.Tunnel.${m[1]}.Interface.${m[2]}` : undefined;
}

/** Every option the agent writes in its sections (others a user added are left as they are). */
export const MANAGED_OPTIONS = ['proto', 'peeraddr', 'peer6addr', 'port', 'vid', 'srcportmin', 'tos', 'tunlink', 'disabled'] as const;

/**
 * The `tos` option for a DSCP, or undefined when netifd cannot be given it. The handler declares
 * `tos` an integer, so UCI's text is read with strtol (base 0) and handed back to netifd as
 * decimal digits, which netifd then parses as hexadecimal (its TOS parser). The option's digits
 * therefore must be the TOS byte's hexadecimal digits: DSCP 10 (AF11, TOS 0x28) is written `28`.
 * A TOS whose hexadecimal form has a letter (DSCP 40 and above: CS5, EF, CS6, CS7) cannot pass.
 */
export function netifdTos(dscp: number): string | undefined {
  const hex = (dscp << 2).toString(16);
  return /^[0-9]+$/.test(hex) ? hex : undefined;
}

/**
 * The options the section of one Interface wants; `tunlink` is the netifd interface LowerLayers
 * names, `endpoint` the RemoteEndpoints address in use (the first until a keepalive moves on).
 */
export function wantedOptions(tunnel: Row, iface: Row, tunlink: string | undefined, endpoint = endpointsOf(tunnel.RemoteEndpoints)[0]): Record<string, string> {
  const v6 = tunnel.DeliveryHeaderProtocol === 'IPv6';
  const out: Record<string, string> = { proto: v6 ? 'vxlan6' : 'vxlan', port: String(tunnel.RemotePort ?? 4789), vid: String(iface.VNI) };
  if (endpoint !== undefined) out[v6 ? 'peer6addr' : 'peeraddr'] = endpoint;
  const srcport = Number(tunnel.SourcePort ?? 0);
  if (srcport !== 0) out.srcportmin = String(srcport);
  const tos = netifdTos(Number(tunnel.DefaultDSCPMark ?? 0));
  if (Number(tunnel.DefaultDSCPMark ?? 0) !== 0 && tos !== undefined) out.tos = tos;
  if (tunlink !== undefined) out.tunlink = tunlink;
  if (iface.Enable !== true || tunnel.Enable !== true || endpoint === undefined) out.disabled = '1';
  return out;
}

/** One UCI step toward the wanted sections. */
export type SectionStep =
  { op: 'create'; section: string } | { op: 'remove'; section: string } | { op: 'set'; section: string; option: string; value: string } | { op: 'delete'; section: string; option: string };

/**
 * The steps that make the agent's sections in `current` (the network config) what `wanted`
 * (section name → options) says: new sections made, options set or removed, sections of rows
 * that are gone deleted. Empty when all is as wanted (nothing is committed then).
 */
export function planSections(current: readonly UciSection[], wanted: ReadonlyMap<string, Record<string, string>>): SectionStep[] {
  const steps: SectionStep[] = [];
  const have = new Map(current.filter((s) => VXLAN_SECTION_RE.test(s.name)).map((s) => [s.name, s]));
  for (const [name, s] of have) if (!wanted.has(name) || s.type !== 'interface') steps.push({ op: 'remove', section: name });
  for (const [section, options] of wanted) {
    const s = have.get(section);
    const fresh = s === undefined || s.type !== 'interface';
    if (fresh) steps.push({ op: 'create', section });
    for (const option of MANAGED_OPTIONS) {
      const want = options[option];
      const now = fresh ? undefined : s.options[option];
      if (want !== undefined && now !== want) steps.push({ op: 'set', section, option, value: want });
      else if (want === undefined && now !== undefined) steps.push({ op: 'delete', section, option });
    }
  }
  return steps;
}

/** Stages `steps` in one UCI transaction of the network config. */
export async function stageSections(stage: UciStage, steps: readonly SectionStep[]): Promise<void> {
  for (const step of steps) {
    if (step.op === 'create') await stage.create(step.section, 'interface');
    else if (step.op === 'remove') await stage.remove(step.section);
    else if (step.op === 'set') await stage.set({ section: step.section, option: step.option, value: step.value });
    else await stage.set({ section: step.section, option: step.option, value: '', remove: true });
  }
}
