/**
 * The IPv4 and IPv6 switches of Device.IP. and Device.IP.Interface.{i}. on Linux (TR-181
 * IPInterface:2, IPv6Interface:1): the IPv6 ones are the kernel's `disable_ipv6` sysctls
 * (/proc/sys/net/ipv6/conf/{all,default,IF}/disable_ipv6), read and written directly.
 *
 * Linux has no switch for IPv4: the stack is always there and an interface takes part in it
 * whenever it has an address. With the agent's store, the IPv4 switches are the agent's own
 * (ip-ipv4-switch.ts: an interface switched off holds no IPv4 address, kept aside until it is
 * switched on); without one, IPv4Enable reads true and is read-only.
 *
 * Writes follow `--manage-interfaces`: an interface's IPv6Enable needs that interface managed,
 * Device.IP.IPv6Enable (every interface's IPv6 at once, `all` and `default`) needs `*`.
 */
import { promises as fs } from 'node:fs';
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { LinuxContext } from './LinuxContext.js';
import type { LinuxUla } from './ip-ula.js';
import type { LinuxIpv4Switches } from './ip-ipv4-switch.js';

/** The `disable_ipv6` sysctl of `conf` (an interface name, `all` or `default`). */
function disableIpv6File(ctx: LinuxContext, conf: string): string {
  return ctx.files.proc('sys', 'net', 'ipv6', 'conf', conf, 'disable_ipv6');
}

/** Whether IPv6 is on for `conf`: false when its sysctl says so, or when the kernel has no IPv6 (no file). */
export async function ipv6Enabled(ctx: LinuxContext, conf: string): Promise<boolean> {
  return (await ctx.files.attr(disableIpv6File(ctx, conf))) === '0';
}

/** Writes `disable_ipv6` of `conf`; the kernel's refusal becomes the UspError naming why. */
export async function writeIpv6Enable(ctx: LinuxContext, conf: string, enable: boolean, path: string): Promise<void> {
  const file = disableIpv6File(ctx, conf);
  try {
    await fs.writeFile(file, enable ? '0\n' : '1\n');
    ctx.log?.info('network configuration changed', { sysctl: file, value: enable ? 0 : 1 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'this kernel has no IPv6 there' : (e as Error).message;
    throw new UspError(code === 'ENOENT' ? ErrorCode.ObjectDoesNotExist : ErrorCode.RequestDenied, `${path}IPv6Enable: cannot write ${file}: ${why}`, { path });
  }
}

function refuseIpv4Off(values: Record<string, Value>, path: string): void {
  if (values.IPv4Enable === false) {
    throw new UspError(ErrorCode.RequestDenied, `${path}IPv4Enable: Linux cannot detach an interface from IPv4 (or switch IPv4 off); Delete its IPv4Address rows instead`, { path });
  }
}

/** A Set of Device.IP. changes IPv6Enable and ULAPrefix, and IPv4Enable with the agent's IPv4 switches. */
const IP_WRITABLE = ['IPv6Enable', 'ULAPrefix'] as const;

/** Serves Device.IP. (capabilities and the IPv4/IPv6 stack switches; with `ula`, ULAPrefix: ip-ula.ts; with `ipv4`, IPv4Enable). */
export function registerIpStack(ctx: LinuxContext, ula?: LinuxUla, ipv4?: LinuxIpv4Switches): void {
  const capable = (): Promise<boolean> => ctx.files.exists(ctx.files.proc('net', 'if_inet6'));
  ctx.model.register('Device.IP.', {
    params: ['IPv4Capable', 'IPv4Enable', 'IPv4Status', 'IPv6Capable', 'IPv6Enable', 'IPv6Status', ...(ula ? ['ULAPrefix'] : [])],
    writable: ipv4 ? [...IP_WRITABLE, 'IPv4Enable'] : IP_WRITABLE,
    get: async () => {
      const [v6, on] = await Promise.all([capable(), ipv6Enabled(ctx, 'all')]);
      return {
        IPv4Capable: true,
        IPv4Enable: ipv4?.stackOn() ?? true,
        IPv4Status: (ipv4?.stackOn() ?? true) ? 'Enabled' : 'Disabled',
        IPv6Capable: v6,
        IPv6Enable: v6 && on,
        IPv6Status: v6 && on ? 'Enabled' : 'Disabled',
        ...(ula ? { ULAPrefix: ula.prefix() } : {}),
      };
    },
    set: async (_keys, changes) => {
      const path = 'Device.IP.';
      if (ipv4 && changes.IPv4Enable !== undefined) await ipv4.setStack(changes.IPv4Enable === true, path);
      else refuseIpv4Off(changes, path);
      if (ula && typeof changes.ULAPrefix === 'string') await ula.setPrefix(changes.ULAPrefix, path);
      if (changes.IPv6Enable === undefined) return;
      if (!ctx.ip.managed.has('*')) {
        throw new UspError(ErrorCode.RequestDenied, `${path}IPv6Enable switches IPv6 on every interface: start the agent with --manage-interfaces '*' to let controllers change it`, { path });
      }
      // `default` too, so interfaces made later follow the stack's switch.
      for (const conf of ['all', 'default']) await writeIpv6Enable(ctx, conf, changes.IPv6Enable === true, path);
    },
  });
}

/** IP.Interface.{i}.IPv4Enable and IPv6Enable of interface `name`. */
export async function interfaceStackValues(ctx: LinuxContext, name: string, ipv4?: LinuxIpv4Switches): Promise<Record<string, Value>> {
  return { IPv4Enable: ipv4?.interfaceOn(name) ?? true, IPv6Enable: await ipv6Enabled(ctx, name) };
}

/**
 * A Set of IP.Interface.{i} on interface `name` (managed: the caller checked): IPv4Enable and
 * IPv6Enable here, the rest by `linkSet` (`ip link set`), which runs first as the change more
 * likely to be refused, so a refusal leaves the sysctl as it was. IPv4Enable is checked before
 * anything (its refusals: loopback, the agent's own Controller path) and applied last.
 */
export async function setInterface(
  ctx: LinuxContext,
  name: string,
  changes: Record<string, Value>,
  path: string,
  linkSet: (rest: Record<string, Value>) => Promise<void>,
  ipv4?: LinuxIpv4Switches,
): Promise<void> {
  const { IPv4Enable, IPv6Enable, ...rest } = changes;
  if (ipv4 && IPv4Enable !== undefined) await ipv4.check(name, IPv4Enable === true, path);
  else refuseIpv4Off({ IPv4Enable }, path);
  if (Object.keys(rest).length > 0) await linkSet(rest);
  if (IPv6Enable !== undefined) await writeIpv6Enable(ctx, name, IPv6Enable === true, path);
  if (ipv4 && IPv4Enable !== undefined) await ipv4.setInterface(name, IPv4Enable === true, path);
}
