/**
 * A UCI write that keeps each row's identity. At commit OpenWrt's uci renumbers the anonymous
 * sections (`cfgNNxxxx`) of the package by position, so a section added or deleted renames the
 * ones after it; the tables bound to sections (NAT port mappings, DHCP pools and static
 * addresses) must follow those renames to keep their instance numbers and Aliases.
 */
import type { UciStage, UciWriter } from './uci.js';
import { renamesByPosition } from './uci-show.js';

export interface TrackedUciWrite {
  /** Section renames the commit caused, old name → new name. */
  renames: Array<[string, string]>;
  /** The names `uci add` printed, in their committed form. */
  added: string[];
}

/**
 * Runs `stage` as one transaction on `pkg` (then `reload`), recording what it adds and deletes,
 * and works out the renames by comparing the section names `before` with those `after` reads once
 * the write is done (`forget` first drops the platform's cached copy of the package).
 */
export async function trackedUciWrite(
  uci: UciWriter,
  pkg: string,
  reload: readonly string[],
  before: readonly string[],
  after: () => Promise<string[]>,
  forget: () => void,
  stage: (s: UciStage) => Promise<void>,
): Promise<TrackedUciWrite> {
  const removed = new Set<string>();
  const added: string[] = [];
  // Section order after the reorders staged, so that renames are still matched by position.
  const order = [...before];
  await uci
    .transact(
      pkg,
      (s) =>
        stage({
          set: s.set,
          add: async (type) => {
            const name = await s.add(type);
            added.push(name);
            return name;
          },
          create: async (name, type) => {
            await s.create(name, type);
            added.push(name);
          },
          remove: async (name) => {
            removed.add(name);
            await s.remove(name);
          },
          reorder: async (name, position) => {
            const i = order.indexOf(name);
            if (i >= 0) order.splice(position, 0, ...order.splice(i, 1));
            await s.reorder(name, position);
          },
        }),
      reload,
    )
    .finally(forget);
  const renames = renamesByPosition(order, await after(), removed, added);
  return { renames, added: added.map((a) => renames.find(([from]) => from === a)?.[1] ?? a) };
}

/**
 * Moves the agent-held Aliases (keyed by section name) across a write's renames. All at once:
 * a reorder swaps names (a → b and b → a), and moving one rename after the other would give
 * both sections the same Alias.
 */
export function moveAliases(aliases: Map<string, string>, renames: ReadonlyArray<readonly [string, string]>): void {
  const moved = renames.flatMap(([from, to]) => {
    const alias = aliases.get(from);
    return alias === undefined ? [] : [[to, alias] as const];
  });
  for (const [from] of renames) aliases.delete(from);
  for (const [to, alias] of moved) aliases.set(to, alias);
}
