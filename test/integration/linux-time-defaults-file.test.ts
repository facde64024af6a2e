/**
 * `$time` in the factory defaults file, read by the real `usp-agent run` process (`npm run build`
 * first) on the Linux platform in its own network namespace: "off" there switches Device.Time.
 * off as `--time off` does (the start-up line says so and the Controller finds no Device.Time.),
 * and `--time chrony` on the command line wins over it. Needs root.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { get } from '../peers/controller-steps.js';
import { startAgentInNamespace } from '../peers/netns-agent.js';
import { NetNamespace } from '../peers/netns.js';

const tag = process.pid % 100_000;
const ns = NetNamespace.create(`usp-timef-${tag}`, `10.235.${tag % 250}`, `usptf${tag}`, 'ctl0');

afterAll(() => {
  ns.remove();
});

/** The start-up line saying why Device.Time. is not served, if any. */
const notServed = (lines: ReadonlyArray<{ text: string }>): string | undefined => lines.find((l) => /Device\.Time\. not served/.test(l.text))?.text;

describe('$time in the defaults file', () => {
  it('"off" switches Device.Time. off, as --time off does', async () => {
    const a = await startAgentInNamespace(ns, 'ctl0', { fileSettings: { $time: 'off' } });
    try {
      expect(notServed(a.agent.lines)).toMatch(/level=info.*switched off \(--time off\).*--time/);
      await expect(get(a.controller, 'Device.Time.Enable')).rejects.toThrow(/7026/);
    } finally {
      await a.close();
    }
  }, 30_000);

  it('--time chrony on the command line wins over the file: chrony is asked (none answers here)', async () => {
    const a = await startAgentInNamespace(ns, 'ctl0', { fileSettings: { $time: 'off' }, args: ['--time', 'chrony'] });
    try {
      const line = notServed(a.agent.lines);
      // Without a chronyd answering it is still not served, but for that reason, not the switch.
      if (line === undefined) expect(await get(a.controller, 'Device.Time.Enable')).toMatch(/true|false/);
      else expect(line).toMatch(/chronyd does not answer|chronyc \(chrony\) is not installed/);
    } finally {
      await a.close();
    }
  }, 30_000);

  it('a $time the agent cannot read stops the start, naming the key', async () => {
    await expect(startAgentInNamespace(ns, 'ctl0', { fileSettings: { $time: 'ntpd' } })).rejects.toThrow(/exit.*\$time .*ntpd.*give chrony/s);
  }, 30_000);
});
