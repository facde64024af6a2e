/**
 * The Bridge, Server and Subscription rows' checks, the Mosquitto `connection` section made from
 * them, and what the broker's log says about its bridges (BridgeLog: the lines are Mosquitto
 * 2.0's own, as the integration test sees them).
 */
import { describe, expect, it } from 'vitest';
import { bridgeMisconfigured, bridgeProblems, serverProblems, subscriptionProblems, topicFilterProblem } from '../../../../platform/mqtt-broker/bridge-rows.js';
import { BridgeLog } from '../../../../platform/mqtt-broker/mosquitto-log.js';
import { mosquittoBridgeLines } from '../../../../platform/linux/mosquitto-bridge-conf.js';

describe('Bridge rows', () => {
  it('takes MQTT topic filters with whole-level wildcards only, and nothing Mosquitto would split', () => {
    for (const ok of ['a/#', '#', '+/b/+', 'a/b', '/bus/+']) expect(topicFilterProblem(ok), ok).toBeUndefined();
    for (const bad of ['a/#/b', 'a#', 'a/b+', 'has space', 'tab\there']) expect(topicFilterProblem(bad), bad).toBeDefined();
    expect(subscriptionProblems({ Topic: 'a/#/b' }, { Topic: 'a/#/b' })).toEqual([expect.objectContaining({ param: 'Topic' })]);
    expect(subscriptionProblems({ LocalPrefix: 'x/+/' }, { LocalPrefix: 'x/+/' })).toEqual([expect.objectContaining({ param: 'LocalPrefix' })]);
    expect(subscriptionProblems({ Topic: 'a/#', LocalPrefix: 'lan/', RemotePrefix: 'site/' }, { Topic: 'a/#', LocalPrefix: 'lan/', RemotePrefix: 'site/' })).toEqual([]);
  });

  it('refuses a keep-alive Mosquitto cannot keep, a Password it cannot read back, a host that is no host', () => {
    expect(bridgeProblems({ KeepAliveTime: 0 }, { KeepAliveTime: 0 })).toEqual([expect.objectContaining({ param: 'KeepAliveTime' })]);
    expect(bridgeProblems({ KeepAliveTime: 5 }, { KeepAliveTime: 5 })).toEqual([]);
    expect(bridgeProblems({ Password: ' lead' }, { Password: ' lead' })).toHaveLength(1);
    expect(bridgeProblems({ Password: 'in side' }, { Password: 'in side' })).toEqual([]);
    expect(bridgeProblems({ Username: 'a b' }, { Username: 'a b' })).toHaveLength(1);
    expect(serverProblems({ Address: 'broker.example.com' }, { Address: 'broker.example.com' })).toEqual([]);
    expect(serverProblems({ Address: '192.0.2.7' }, { Address: '192.0.2.7' })).toEqual([]);
    expect(serverProblems({ Address: 'a b' }, { Address: 'a b' })).toHaveLength(1);
    expect(serverProblems({ Address: '2001:db8::1' }, { Address: '2001:db8::1' })).toHaveLength(1);
  });

  it('is misconfigured without an enabled Server with an Address or an enabled Subscription with a Topic', () => {
    const server = { Enable: true, Address: 'h', Port: 1883 };
    const sub = { Enable: true, Topic: 'a/#' };
    expect(bridgeMisconfigured([], [sub])).toMatch(/Server/);
    expect(bridgeMisconfigured([{ ...server, Enable: false }], [sub])).toMatch(/Server/);
    expect(bridgeMisconfigured([server], [{ ...sub, Enable: false }])).toMatch(/Subscription/);
    expect(bridgeMisconfigured([server], [sub])).toBeUndefined();
  });
});

describe('mosquitto.conf bridge section', () => {
  it('lists the Servers by Priority, maps each Subscription to a topic line, and the password only with a Username', () => {
    const lines = mosquittoBridgeLines({
      n: 3,
      row: { Enable: true, Username: 'up', Password: 'p w', KeepAliveTime: 30, ConnectRetryTime: 10, CleanSession: false },
      servers: [
        { n: 1, row: { Enable: true, Address: 'backup.example', Port: 1884, Priority: 9 } },
        { n: 2, row: { Enable: true, Address: '192.0.2.1', Port: 1883, Priority: 1 } },
        { n: 3, row: { Enable: false, Address: 'off.example', Port: 1883, Priority: 0 } },
      ],
      subscriptions: [
        { n: 1, row: { Enable: true, Topic: 'a/#', Direction: 'out', QoS: 1, LocalPrefix: '', RemotePrefix: '' } },
        { n: 2, row: { Enable: true, Topic: 's/+', Direction: 'both', QoS: 2, LocalPrefix: '', RemotePrefix: 'site/' } },
        { n: 3, row: { Enable: false, Topic: 'off/#', Direction: 'in', QoS: 0 } },
      ],
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        'connection usp-bridge-3',
        'address 192.0.2.1:1883 backup.example:1884',
        'cleansession false',
        'keepalive_interval 30',
        'restart_timeout 10',
        'notification_topic $SYS/broker/connection/usp-bridge-3/state',
        'remote_username up',
        'remote_password p w',
        'topic a/# out 1',
        'topic s/+ both 2 "" site/',
      ]),
    );
    expect(lines.join('\n')).not.toContain('off');
    const anonymous = mosquittoBridgeLines({ n: 1, row: { Username: '', Password: 'stale' }, servers: [], subscriptions: [] });
    expect(anonymous.join('\n')).not.toMatch(/remote_(username|password)/);
  });
});

describe('BridgeLog', () => {
  it('follows attempts, refusals and broken connections of each bridge from the broker log', () => {
    const log = new BridgeLog();
    expect(log.status('usp-bridge-1', undefined)).toBe('Connecting');
    log.line('1796519903: Connecting bridge (step 1) usp-bridge-1 (127.0.0.1:19883)');
    log.line('1796519903: Connecting bridge (step 1) usp-bridge-2 (10.0.0.1:1883)');
    log.line('1796519903: Connecting bridge (step 2) usp-bridge-1 (127.0.0.1:19883)');
    log.line('1796519903: Connecting bridge (step 2) usp-bridge-2 (10.0.0.1:1883)');
    expect(log.server('usp-bridge-2')).toEqual({ host: '10.0.0.1', port: 1883 });
    // Refused by the remote: its local side closes.
    log.line('1796519903: Connection Refused: not authorised');
    log.line('1796519903: Client local.vm.usp-bridge-1 closed its connection.');
    expect(log.status('usp-bridge-1', false)).toBe('Error_BrokerUnreachable');
    expect(log.status('usp-bridge-2', undefined)).toBe('Connecting');
    expect(log.status('usp-bridge-2', true)).toBe('Connected');
    // A socket that could not be made: the bridge of the step 2 just before.
    log.line('1796519909: Connecting bridge (step 2) usp-bridge-2 (10.0.0.1:1883)');
    log.line('1796519909: Error creating bridge: Broken pipe.');
    expect(log.status('usp-bridge-2', false)).toBe('Error_BrokerUnreachable');
    // Connected again clears it; a broken connection sets it.
    expect(log.status('usp-bridge-2', true)).toBe('Connected');
    log.line('1796519920: Socket error on client local.host.example.usp-bridge-2, disconnecting.');
    expect(log.status('usp-bridge-2', false)).toBe('Error_BrokerUnreachable');
    // A host name that does not resolve: the attempts repeat with nothing in between.
    log.line('1796522329: Connecting bridge (step 1) usp-bridge-3 (nonexistent.invalid:1883)');
    expect(log.status('usp-bridge-3', undefined)).toBe('Connecting');
    log.line('1796522335: Connecting bridge (step 1) usp-bridge-3 (nonexistent.invalid:1883)');
    expect(log.status('usp-bridge-3', undefined)).toBe('Error_BrokerUnreachable');
    // A restarted broker starts its bridges afresh.
    log.line('1796519930: mosquitto version 2.0.11 starting');
    expect(log.status('usp-bridge-2', undefined)).toBe('Connecting');
    expect(log.server('usp-bridge-2')).toBeUndefined();
    // The old broker's $SYS state, still held for a moment, is not Connected without an attempt of this run.
    expect(log.status('usp-bridge-2', true)).toBe('Connecting');
    log.line('1796519931: Connecting bridge (step 1) usp-bridge-2 (10.0.0.1:1883)');
    expect(log.status('usp-bridge-2', true)).toBe('Connected');
    expect(log.server('usp-bridge-2')).toEqual({ host: '10.0.0.1', port: 1883 });
  });
});
