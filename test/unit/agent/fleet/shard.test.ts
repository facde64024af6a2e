import { describe, expect, it } from 'vitest';
import { FleetUsageError, shardIndexFrom, shardRange } from '../../../../agent/fleet/shard.js';
import { checkFleetDefaults, gatewayDefaults, gatewaySeed } from '../../../../agent/fleet/gateway-defaults.js';

describe('shardRange', () => {
  it('without shards runs the whole fleet', () => {
    expect(shardRange({ count: 5, first: 10 })).toEqual({ first: 10, count: 5 });
  });

  it('splits into contiguous ranges that cover every number once, the remainder spread over the first shards', () => {
    for (const [count, shards] of [
      [10, 3],
      [200_000, 10],
      [7, 7],
      [101, 4],
      [1, 1],
    ] as const) {
      const ranges = Array.from({ length: shards }, (_, i) => shardRange({ count, first: 1, shardIndex: i, shardCount: shards }));
      let next = 1;
      for (const r of ranges) {
        expect(r.first).toBe(next);
        next += r.count;
      }
      expect(next).toBe(count + 1);
      const sizes = ranges.map((r) => r.count);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // Larger shards come first.
      expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
    }
    expect(shardRange({ count: 10, first: 1, shardIndex: 0, shardCount: 3 })).toEqual({ first: 1, count: 4 });
    expect(shardRange({ count: 10, first: 1, shardIndex: 2, shardCount: 3 })).toEqual({ first: 8, count: 3 });
    expect(shardRange({ count: 200_000, first: 1, shardIndex: 9, shardCount: 10 })).toEqual({ first: 180_001, count: 20_000 });
  });

  it.each([
    [{ count: 0, first: 1 }, /--count 0/],
    [{ count: -1, first: 1 }, /--count -1/],
    [{ count: 1.5, first: 1 }, /--count 1.5/],
    [{ count: Number.NaN, first: 1 }, /--count NaN/],
    [{ count: 5, first: -1 }, /--first -1/],
    [{ count: 5, first: 1, shardIndex: 2, shardCount: 2 }, /--shard-index 2: must be below --shard-count 2/],
    [{ count: 5, first: 1, shardIndex: -1, shardCount: 2 }, /--shard-index -1/],
    [{ count: 5, first: 1, shardIndex: 0, shardCount: 0 }, /--shard-count 0/],
    [{ count: 5, first: 1, shardIndex: 0 }, /--shard-index needs --shard-count/],
    [{ count: 5, first: 1, shardCount: 2 }, /--shard-count needs --shard-index/],
    [{ count: 2, first: 1, shardIndex: 0, shardCount: 3 }, /more shards than gateways/],
  ])('refuses %j', (choice, message) => {
    expect(() => shardRange(choice)).toThrow(FleetUsageError);
    expect(() => shardRange(choice)).toThrow(message);
  });

  it('takes the index from JOB_COMPLETION_INDEX when --shard-index is absent', () => {
    expect(shardIndexFrom(undefined, { JOB_COMPLETION_INDEX: '3' })).toBe(3);
    expect(shardIndexFrom(1, { JOB_COMPLETION_INDEX: '3' })).toBe(1);
    expect(shardIndexFrom(undefined, {})).toBeUndefined();
    expect(() => shardIndexFrom(undefined, { JOB_COMPLETION_INDEX: 'x' })).toThrow(/JOB_COMPLETION_INDEX "x": not a whole number/);
  });
});

describe('gateway defaults', () => {
  it('replaces {n} in every string value, leaving other values as they are', () => {
    const d = {
      'Device.LocalAgent.EndpointID': 'proto::sim-{n}',
      'Device.MQTT.Client.1.ClientID': 'sim-{n}-{n}',
      'Device.MQTT.Client.1.BrokerPort': 1883,
      'Device.MQTT.Client.1.Enable': true,
      'Device.X': 'plain',
    };
    expect(gatewayDefaults(d, 42)).toEqual({
      'Device.LocalAgent.EndpointID': 'proto::sim-42',
      'Device.MQTT.Client.1.ClientID': 'sim-42-42',
      'Device.MQTT.Client.1.BrokerPort': 1883,
      'Device.MQTT.Client.1.Enable': true,
      'Device.X': 'plain',
    });
  });

  it('refuses an EndpointID without {n}, naming the file', () => {
    expect(() => checkFleetDefaults({ 'Device.LocalAgent.EndpointID': 'proto::sim' }, 'f.json')).toThrow(/--defaults f.json: Device.LocalAgent.EndpointID must contain \{n\}/);
    expect(() => checkFleetDefaults({}, 'f.json')).toThrow(FleetUsageError);
    expect(() => checkFleetDefaults({ 'Device.LocalAgent.EndpointID': 'proto::sim-{n}' }, 'f.json')).not.toThrow();
  });

  it('gives each number of a fleet its own seed, the same on every run', () => {
    const seeds = new Set(Array.from({ length: 10_000 }, (_, i) => gatewaySeed(7, i + 1)));
    expect(seeds.size).toBe(10_000);
    expect(gatewaySeed(7, 1)).toBe(gatewaySeed(7, 1));
    expect(gatewaySeed(7, 1)).not.toBe(gatewaySeed(8, 1));
  });
});
