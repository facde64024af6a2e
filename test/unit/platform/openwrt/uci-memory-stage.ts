/**
 * A `UciStage` over an in-memory `dhcp` config: what uci's add, set, add_list, del_list and
 * delete leave, without libuci's renaming of anonymous sections (new ones are the first free of cfg1, cfg2, …).
 * For tests of planners that stage writes (platform/openwrt/dhcpv4-pool-criteria.ts).
 */
import type { UciChange, UciStage } from '../../../../platform/openwrt/uci.js';
import { listOption, type UciConfig } from '../../../../platform/openwrt/uci-show.js';

export function memoryStage(config: UciConfig): UciStage {
  let n = 0;
  const find = (name: string) => {
    const s = config.find((c) => c.name === name);
    if (!s) throw new Error(`no section ${name}`);
    return s;
  };
  return {
    set: async (c: UciChange) => {
      const o = find(c.section).options;
      if (c.remove) delete o[c.option];
      else if (c.append) o[c.option] = [...listOption(o[c.option]), c.value];
      else if (c.removeItem) o[c.option] = listOption(o[c.option]).filter((v) => v !== c.value);
      else o[c.option] = c.value;
    },
    add: async (type) => {
      let name = `cfg${++n}`;
      while (config.some((c) => c.name === name)) name = `cfg${++n}`;
      config.push({ name, type, options: {} });
      return name;
    },
    create: async (name, type) => void config.push({ name, type, options: {} }),
    remove: async (name) => void config.splice(config.indexOf(find(name)), 1),
    reorder: async () => undefined,
  };
}
