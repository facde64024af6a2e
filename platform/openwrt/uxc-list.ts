/**
 * What OpenWrt's `uxc list --json` prints (procd uxc.c `uxc_list`), read into one record per
 * container. uxc writes the list as an unnamed array inside the root table, which libubox's
 * blobmsg_format_json_indent prints as `{ [ {...}, ... ] }`: not JSON (recorded:
 * test/fixtures/openwrt/uxc/session.json). The array inside is JSON, so it is read from there; a
 * plain array, or a table holding one, is read too in case a later uxc prints valid JSON.
 */

/**
 * A container's status as uxc reports it: ujail's OCI state (`creating`, `created`, `running`,
 * `stopped`), `creating` while procd runs ujail but ujail does not answer yet, `stopped` when
 * procd runs nothing for it.
 */
export type UxcStatus = 'creating' | 'created' | 'running' | 'stopped';

export interface UxcContainer {
  name: string;
  status: UxcStatus;
  autostart: boolean;
  /** The last exit code of ujail (the container's own, or 128 + signal), once stopped. */
  exitCode?: number;
  /** ujail's PID, while procd runs it. */
  runtimePid?: number;
  /** The container's first process (PID in procd's namespace), while it exists. */
  containerPid?: number;
}

const STATUSES: readonly string[] = ['creating', 'created', 'running', 'stopped'];

/** Parses `uxc list --json`; throws an Error saying what is wrong when it is not that. */
export function parseUxcList(text: string): Map<string, UxcContainer> {
  const items = listItems(text);
  const out = new Map<string, UxcContainer>();
  for (const item of items) {
    if (typeof item !== 'object' || item === null) throw new Error('a list entry is not an object');
    const r = item as Record<string, unknown>;
    if (typeof r.name !== 'string' || typeof r.status !== 'string' || !STATUSES.includes(r.status)) throw new Error(`a list entry has no name or an unknown status: ${JSON.stringify(item)}`);
    out.set(r.name, {
      name: r.name,
      status: r.status as UxcStatus,
      autostart: r.autostart === true,
      ...(typeof r.exitcode === 'number' ? { exitCode: r.exitcode } : {}),
      ...(typeof r.runtime_pid === 'number' ? { runtimePid: r.runtime_pid } : {}),
      ...(typeof r.container_pid === 'number' ? { containerPid: r.container_pid } : {}),
    });
  }
  return out;
}

function listItems(text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // `{ [ ... ] }`: the unnamed array in the root table.
    const inner = /^\s*\{\s*(\[[\s\S]*\])\s*\}\s*$/.exec(text);
    if (!inner) throw new Error('neither JSON nor the `{ [ ... ] }` uxc prints');
    parsed = JSON.parse(inner[1]!);
  }
  if (Array.isArray(parsed)) return parsed;
  if (typeof parsed === 'object' && parsed !== null) {
    const arrays = Object.values(parsed).filter(Array.isArray);
    if (arrays.length === 1) return arrays[0] as unknown[];
  }
  throw new Error('no list of containers in it');
}
