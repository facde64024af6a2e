/**
 * Simulated gateways of one fleet (one SharedSupportedModel, as `usp-agent fleet` builds them),
 * for the tests that check what a fleet's gateways share (issue 14: memory per gateway) and what
 * stays each gateway's own. Every gateway of a fleet has the same seed, so state leaking from one
 * to another would show.
 */
import { afterEach, expect } from 'vitest';
import { Schema } from '../../../../datamodel/schema/Schema.js';
import type { ObjectBinding } from '../../../../datamodel/tree/binding.js';
import { DataModel } from '../../../../datamodel/tree/DataModel.js';
import { SharedSupportedModel } from '../../../../datamodel/tree/SupportedTree.js';
import { type SimFixture, simulated } from './fixture.js';

const schema = Schema.load();

/** `fleet(n)` builds n gateways seeded `seed`; each test's gateways are stopped after it (registers an afterEach). */
export function simulatedFleet(seed: number): (n: number) => SimFixture[] {
  const running: SimFixture[] = [];
  afterEach(() => {
    for (const gw of running.splice(0)) gw.stop();
  });
  return (n) => {
    const share = new SharedSupportedModel();
    return Array.from({ length: n }, () => {
      const model = new DataModel(schema, { share });
      const gw = simulated(seed, { model });
      model.seal();
      running.push(gw);
      return gw;
    });
  };
}

const METHODS = ['list', 'get', 'set', 'add', 'delete', 'snapshot', 'restore'] as const;

/**
 * `a` and `b`, the bindings of `path` on two gateways of one fleet, run the same code: every
 * method they have is one function, and their parameter list (if they name one) one array. `own` (default true):
 * each gateway has a binding of its own (its state), not the fleet's one object.
 */
export function expectSharedCode(path: string, a: ObjectBinding, b: ObjectBinding, own = true): void {
  if (own) expect(b, path).not.toBe(a);
  expect(a.get, path).toBeTypeOf('function');
  for (const m of METHODS) expect(b[m], `${path} ${m}`).toBe(a[m]);
  expect(b.params, path).toBe(a.params);
}
