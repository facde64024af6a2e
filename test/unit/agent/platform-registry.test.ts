/**
 * The platform registry (agent/platform-registry.ts): `--platform` values are its entries, `auto`
 * asks the detectors in order and falls back, an unknown name is refused naming the choices, and
 * add-ons start only beside the platforms they apply to, their parts merged.
 */
import { describe, expect, it } from 'vitest';
import { builtinPlatforms } from '../../../agent/builtin-platforms.js';
import { PLATFORM_NAMES } from '../../../agent/platforms.js';
import { PlatformRegistry } from '../../../agent/platform-registry.js';
import { silentLogger } from '../../../datamodel/Logger.js';
import { Schema } from '../../../datamodel/schema/Schema.js';
import { DataModel } from '../../../datamodel/tree/DataModel.js';

describe('PlatformRegistry', () => {
  it('the built-in registry names exactly the --platform choices', () => {
    expect(builtinPlatforms().names()).toEqual([...PLATFORM_NAMES]);
  });

  it('auto starts the first entry whose detector answers true, else the fallback; an unknown name is refused', async () => {
    const r = new PlatformRegistry('b')
      .add({ name: 'a', detect: () => false, start: async () => ({}) })
      .add({ name: 'b', start: async () => ({}) })
      .add({ name: 'c', detect: async () => true, start: async () => ({}) });
    expect((await r.choose('auto')).name).toBe('c');
    expect((await new PlatformRegistry('b').add({ name: 'b', start: async () => ({}) }).choose('auto')).name).toBe('b');
    await expect(r.choose('zz')).rejects.toThrow('--platform zz: no such platform; give one of auto, a, b, c');
    expect(() => r.add({ name: 'a', start: async () => ({}) })).toThrow('registered twice');
  });

  it("a plugin's platform is chosen like a built-in one; a name already taken is refused naming the plugin", async () => {
    const r = builtinPlatforms().addFromPlugin({ name: 'board', start: async () => ({}) }, '--plugin board.mjs');
    expect(r.names()).toEqual([...PLATFORM_NAMES, 'board']);
    expect((await r.choose('board')).name).toBe('board');
    expect(() => r.addFromPlugin({ name: 'linux', start: async () => ({}) }, '--plugin x.mjs')).toThrow(
      "--plugin x.mjs: platform linux clashes with a built-in platform; give the plugin's platform another name",
    );
    expect(() => r.addFromPlugin({ name: 'board', start: async () => ({}) }, '--plugin y.mjs')).toThrow('--plugin y.mjs: platform board clashes with the platform --plugin board.mjs registers');
    expect(() => r.addFromPlugin({ name: 'auto', start: async () => ({}) }, '--plugin z.mjs')).toThrow('clashes with a built-in platform');
  });

  it('an add-on starts beside the platforms it names, adds its parts, and is stopped with the platform', async () => {
    const stopped: string[] = [];
    const r = new PlatformRegistry('live')
      .add({ name: 'live', start: async () => ({ executionEnvs: [], stop: () => stopped.push('live') }) })
      .add({ name: 'other', start: async () => ({}) })
      .addAddOn({ name: 'cell', platforms: ['live'], start: async () => ({ cellular: true, stop: () => stopped.push('cell') }) });
    const model = new DataModel(Schema.load());
    const live = await r.start(model, await r.choose('live'), { log: silentLogger });
    expect(live.addOns).toEqual(['cell']);
    expect(live.parts.cellular).toBe(true);
    live.parts.stop!();
    expect(stopped).toEqual(['live', 'cell']);
    const other = await r.start(model, await r.choose('other'), { log: silentLogger });
    expect(other.addOns).toEqual([]);
    expect(other.parts.cellular).toBeUndefined();
  });
});
