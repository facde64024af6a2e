/**
 * Why an MTP could not listen, naming the Device.LocalAgent.MTP.{i} row and what to change: a
 * bare "listen EADDRINUSE :::9001" does not say which of several MTPs failed, nor where the
 * port comes from (the factory defaults, then the saved state, which wins).
 */
import type { Value } from '../../datamodel/value/Value.js';

/** An Error naming `Device.LocalAgent.MTP.<n>.<kind>.Port` for a failed listen; the original is its cause. */
export function listenError(e: unknown, mtp: number, kind: 'WebSocket', port: Value): Error {
  const param = `Device.LocalAgent.MTP.${mtp}.${kind}.Port`;
  const code = typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined;
  const where = 'in the factory-defaults file, or in state.json of the data directory once the agent has saved state (it wins over the defaults)';
  if (code === 'EADDRINUSE') return new Error(`${param} ${String(port)}: the port is in use by another program; stop that program, or change ${param} ${where}`, { cause: e });
  if (code === 'EACCES')
    return new Error(`${param} ${String(port)}: the agent's user may not listen on this port (below 1024 needs CAP_NET_BIND_SERVICE); choose a port from 1024, ${where}`, { cause: e });
  return new Error(`${param} ${String(port)}: cannot listen: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
