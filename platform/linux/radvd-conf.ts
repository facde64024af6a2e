/**
 * The radvd configuration the agent owns on generic Linux, made from the rows of
 * Device.RouterAdvertisement.InterfaceSetting.{i}. (RouterAdvertisement:1). Pure: no file, no
 * process (router-advertisement.ts writes it and runs radvd on it).
 *
 * | TR-181 | radvd.conf, in `interface <device of Interface> { ... }` |
 * |---|---|
 * | Enable (and RouterAdvertisement.Enable) | the block is there at all, with `AdvSendAdvert on` |
 * | MaxRtrAdvInterval, MinRtrAdvInterval | the same names, seconds |
 * | AdvDefaultLifetime | the same, seconds (0: not a default router) |
 * | AdvManagedFlag, AdvOtherConfigFlag | the same, on/off |
 * | AdvMobileAgentFlag | `AdvHomeAgentFlag` (the H bit of RFC 6275 §7.1, which TR-181 names) |
 * | AdvPreferredRouterFlag High/Medium/Low | `AdvDefaultPreference high/medium/low` (RFC 4191) |
 * | AdvLinkMTU, AdvReachableTime, AdvRetransTimer, AdvCurHopLimit | the same names (0: unspecified; an MTU of 0 sends no MTU option) |
 * | the interface's IPv6 prefixes (IP.Interface.{i}.IPv6Prefix) | `prefix ::/64 { AdvOnLink on; AdvAutonomous on; }`: radvd advertises every /64 the device has |
 *
 * radvd cannot set the Proxy flag (RFC 4389) nor send arbitrary options, so AdvNDProxyFlag is
 * read-only (false) and Option.{i} is not served on Linux. Every value reaching the file is a
 * number, a boolean, an enumeration or a checked device name: no Controller text.
 */
import type { Value } from '../../datamodel/value/Value.js';
import { isDevice } from './dnsmasq-conf.js';

type Row = Readonly<Record<string, Value>>;

/** One enabled row as the file sees it. */
export interface AdvertisingInterface {
  /** The row's path, for the comment above its block. */
  path: string;
  device: string;
  values: Row;
}

const onOff = (v: Value | undefined): string => (v === true ? 'on' : 'off');
const PREFERENCE: Readonly<Record<string, string>> = { High: 'high', Medium: 'medium', Low: 'low' };

/** The file's text, or undefined when no interface advertises (radvd then does not run). */
export function radvdConfText(interfaces: readonly AdvertisingInterface[]): string | undefined {
  const blocks = interfaces.filter((i) => isDevice(i.device));
  if (blocks.length === 0) return undefined;
  const out = ['# Written by usp-agent from Device.RouterAdvertisement.; replaced at every change: edit the data model, not this file.'];
  for (const { path, device, values: v } of blocks) {
    const n = (name: string, fallback: number): number => Math.trunc(Number(v[name] ?? fallback));
    out.push(
      `# ${path}`,
      `interface ${device} {`,
      '  AdvSendAdvert on;',
      // The interface may come later (a bridge, a PPP link): radvd starts without it and advertises once it is there.
      '  IgnoreIfMissing on;',
      `  MaxRtrAdvInterval ${n('MaxRtrAdvInterval', 600)};`,
      `  MinRtrAdvInterval ${n('MinRtrAdvInterval', 200)};`,
      `  AdvDefaultLifetime ${n('AdvDefaultLifetime', 1800)};`,
      `  AdvManagedFlag ${onOff(v.AdvManagedFlag)};`,
      `  AdvOtherConfigFlag ${onOff(v.AdvOtherConfigFlag)};`,
      `  AdvHomeAgentFlag ${onOff(v.AdvMobileAgentFlag)};`,
      `  AdvDefaultPreference ${PREFERENCE[String(v.AdvPreferredRouterFlag)] ?? 'medium'};`,
      `  AdvLinkMTU ${n('AdvLinkMTU', 0)};`,
      `  AdvReachableTime ${n('AdvReachableTime', 0)};`,
      `  AdvRetransTimer ${n('AdvRetransTimer', 0)};`,
      `  AdvCurHopLimit ${n('AdvCurHopLimit', 0)};`,
      '  prefix ::/64 {',
      '    AdvOnLink on;',
      '    AdvAutonomous on;',
      '  };',
      '};',
    );
  }
  return `${out.join('\n')}\n`;
}
