/**
 * Device.Bridging.Bridge.{i}.STP. of a Linux bridge (TR-181 Bridge:1's spanning tree) from the
 * bridge's sysfs attributes (/sys/class/net/<br>/bridge/), which `ip -d link` reports too:
 *
 * | TR-181 | sysfs | conversion |
 * | --- | --- | --- |
 * | Enable, Status, Protocol | `stp_state` | 0 off; 1 the kernel's own STP (802.1D); 2 a user-space daemon (mstpd), which runs RSTP |
 * | BridgePriority | `priority` | copied |
 * | HelloTime, MaxAge | `hello_time`, `max_age` | centiseconds both sides |
 * | ForwardingDelay | `forward_delay` | centiseconds → seconds |
 *
 * Written with `ip link set dev BR type bridge stp_state/priority/hello_time/max_age/forward_delay`
 * on managed bridges. Protocol RSTP is refused (7002): the kernel implements STP only, RSTP needs a
 * user-space daemon the agent does not run. The schema's ranges (BridgePriority in steps of 4096,
 * HelloTime 100-1000 cs, ...) are checked before anything is written (7012).
 */
import { ErrorCode, UspError } from '../../datamodel/UspError.js';
import type { InstanceKeys } from '../../datamodel/tree/binding.js';
import type { Value } from '../../datamodel/value/Value.js';
import type { LinuxContext } from './LinuxContext.js';

/** The device name of the Bridge row `keys` (7016 when it is gone). */
export type BridgeName = (keys: InstanceKeys) => Promise<string>;

/** The kernel runs STP only: Protocol stays STP (RSTP needs mstpd), so it is served read-only. */
const STP_WRITABLE = ['Enable', 'BridgePriority', 'HelloTime', 'MaxAge', 'ForwardingDelay'] as const;

/** Serves Device.Bridging.Bridge.{i}.STP. */
export function registerBridgeStp(ctx: LinuxContext, bridgeName: BridgeName): void {
  const { files } = ctx;
  const path = (keys: InstanceKeys): string => `Device.Bridging.Bridge.${keys[0]}.STP.`;

  ctx.model.register('Device.Bridging.Bridge.{i}.STP.', {
    params: ['Enable', 'Status', 'Protocol', 'BridgePriority', 'HelloTime', 'MaxAge', 'ForwardingDelay'],
    writable: STP_WRITABLE,
    get: async (keys) => {
      const name = await bridgeName(keys);
      const at = async (a: string): Promise<number | undefined> => {
        const v = Number(await files.attr(files.sys('class', 'net', name, 'bridge', a)));
        return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
      };
      const [state, priority, hello, maxAge, delay] = await Promise.all(['stp_state', 'priority', 'hello_time', 'max_age', 'forward_delay'].map(at));
      const values: Record<string, Value> = {};
      if (state !== undefined) {
        values.Enable = state !== 0;
        values.Status = state !== 0 ? 'Enabled' : 'Disabled';
        values.Protocol = state === 2 ? 'RSTP' : 'STP';
      }
      if (priority !== undefined) values.BridgePriority = priority;
      if (hello !== undefined) values.HelloTime = hello;
      if (maxAge !== undefined) values.MaxAge = maxAge;
      if (delay !== undefined) values.ForwardingDelay = Math.round(delay / 100);
      return values;
    },
    set: async (keys, changes) => {
      const name = await bridgeName(keys);
      ctx.ip.requireManaged(name, path(keys));
      if (changes.Protocol === 'RSTP') {
        throw new UspError(ErrorCode.RequestDenied, `${path(keys)}Protocol: the Linux kernel runs STP only; RSTP needs a user-space STP daemon (mstpd), which this agent does not run`, {
          path: path(keys),
        });
      }
      const args: string[] = [];
      if (changes.Enable !== undefined) args.push('stp_state', changes.Enable === true ? '1' : '0');
      if (changes.BridgePriority !== undefined) args.push('priority', String(changes.BridgePriority));
      if (changes.HelloTime !== undefined) args.push('hello_time', String(changes.HelloTime));
      if (changes.MaxAge !== undefined) args.push('max_age', String(changes.MaxAge));
      if (changes.ForwardingDelay !== undefined) args.push('forward_delay', String(Number(changes.ForwardingDelay) * 100));
      if (args.length > 0) await ctx.ip.run(['link', 'set', 'dev', name, 'type', 'bridge', ...args], path(keys));
    },
  });
}
