/** Which root qdiscs the agent leaves alone (platform/linux/qos-root-qdisc.ts), from `tc -j qdisc show` as iproute2 6.1 prints it. */
import { describe, expect, it } from 'vitest';
import { foreignRootMessage, foreignRootQdiscs } from '../../../../platform/linux/qos-root-qdisc.js';

describe('foreignRootQdiscs', () => {
  it('names the roots neither the kernel (handle 0:) nor the agent (htb 51:) made', () => {
    const shown = JSON.stringify([
      { kind: 'noqueue', handle: '0:', dev: 'lo', root: true, refcnt: 2, options: {} },
      { kind: 'mq', handle: '0:', dev: 'eth0', root: true, options: {} },
      { kind: 'fq_codel', handle: '0:', dev: 'eth0', parent: ':1', options: {} },
      { kind: 'htb', handle: '51:', dev: 'eth1', root: true, options: {} },
      { kind: 'cake', handle: '8001:', dev: 'eth1.2', root: true, options: {} },
      { kind: 'ingress', handle: 'ffff:', dev: 'eth1.2', parent: 'ffff:fff1', options: {} },
      { kind: 'hfsc', handle: '1:', dev: 'br-lan', root: true, options: {} },
      // The agent's handle number on another kind of qdisc is not the agent's.
      { kind: 'tbf', handle: '51:', dev: 'wwan0', root: true, options: {} },
    ]);
    expect([...foreignRootQdiscs(shown)]).toEqual([
      ['eth1.2', 'cake 8001:'],
      ['br-lan', 'hfsc 1:'],
      ['wwan0', 'tbf 51:'],
    ]);
    expect(foreignRootMessage('eth1.2', 'cake 8001:')).toMatch(/^the root qdisc of eth1\.2 is cake 8001:/);
  });

  it('reads nothing from output it cannot parse', () => {
    for (const out of ['', 'qdisc noqueue 0: dev lo root refcnt 2', '{}', '[1, null]']) expect(foreignRootQdiscs(out).size, out).toBe(0);
  });
});
