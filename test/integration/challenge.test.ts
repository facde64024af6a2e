/**
 * Challenge:1 against the real agent (TR-181 ControllerTrust.RequestChallenge() /
 * ChallengeResponse(), ControllerTrust.Challenge.{i}; TR-369 "Determine Role"): a controller
 * the agent does not know starts with UntrustedRole, answers a passphrase challenge, and gets the
 * Challenge's Role in place of UntrustedRole; wrong answers count against Retries and lock the
 * Challenge for LockoutPeriod (7002); unknown and expired ChallengeIDs fail with 7004.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationResult, UspMsg } from '../../agent/codec/types.js';
import { AGENT_EID, startAgent, type AgentFixture } from '../peers/agent-fixture.js';
import { TestController } from '../peers/TestController.js';
import { cmdFailureCode, operateOne, outputArgs } from '../peers/operate.js';

const ROLE = 'Device.LocalAgent.ControllerTrust.Role';
const TRUST = 'Device.LocalAgent.ControllerTrust.';
const CHALLENGE = `${TRUST}Challenge`;
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const PASSPHRASE = 'open sesame';
const INSTRUCTION = 'Read the passphrase printed on the label under the router';

function permission(role: number, i: number, order: number, targets: string, param: string, obj: string, inst: string, ce: string): Record<string, string | number | boolean> {
  const p = `${ROLE}.${role}.Permission.${i}.`;
  return { [`${p}Enable`]: true, [`${p}Order`]: order, [`${p}Targets`]: targets, [`${p}Param`]: param, [`${p}Obj`]: obj, [`${p}InstantiatedObj`]: inst, [`${p}CommandEvent`]: ce };
}

const DEFAULTS = {
  // Role.2: what a passed challenge grants (read and write Device.LocalAgent).
  [`${ROLE}.2.Name`]: 'Installer',
  [`${ROLE}.2.Enable`]: true,
  ...permission(2, 1, 1, 'Device.LocalAgent.', 'rw--', 'rw--', 'rw--', 'r-x-'),
  // Role.3: UntrustedRole: read Device.LocalAgent's own parameters, and take a challenge.
  [`${ROLE}.3.Name`]: 'Untrusted',
  [`${ROLE}.3.Enable`]: true,
  ...permission(3, 1, 1, 'Device.LocalAgent.', 'r---', 'r---', '----', '----'),
  ...permission(3, 2, 2, `${TRUST}RequestChallenge(),${TRUST}ChallengeResponse()`, '----', '----', '----', 'r-x-'),
  [`${TRUST}UntrustedRole`]: `${ROLE}.3`,
  [`${CHALLENGE}.1.Alias`]: 'label',
  [`${CHALLENGE}.1.Description`]: 'Passphrase on the device label',
  [`${CHALLENGE}.1.Role`]: `${ROLE}.2`,
  [`${CHALLENGE}.1.Enable`]: true,
  [`${CHALLENGE}.1.Type`]: 'Passphrase',
  [`${CHALLENGE}.1.Value`]: b64(PASSPHRASE),
  [`${CHALLENGE}.1.ValueType`]: 'text/plain',
  [`${CHALLENGE}.1.Instruction`]: b64(INSTRUCTION),
  [`${CHALLENGE}.1.InstructionType`]: 'text/plain',
  [`${CHALLENGE}.1.Retries`]: 2,
  [`${CHALLENGE}.1.LockoutPeriod`]: 1,
  [`${CHALLENGE}.2.Alias`]: 'off',
  [`${CHALLENGE}.2.Role`]: `${ROLE}.2`,
  [`${CHALLENGE}.2.Enable`]: false,
  [`${CHALLENGE}.2.Value`]: b64('whatever'),
  [`${CHALLENGE}.3.Alias`]: 'other',
  [`${CHALLENGE}.3.Role`]: `${ROLE}.2`,
  [`${CHALLENGE}.3.Enable`]: true,
  [`${CHALLENGE}.3.Value`]: b64('another one'),
  [`${CHALLENGE}.3.Retries`]: 5,
};

let f: AgentFixture;
let c1: TestController;
const strangers: TestController[] = [];

beforeAll(async () => {
  f = await startAgent({ platform: 'none', extra: DEFAULTS });
  c1 = f.controller;
});
afterAll(async () => {
  for (const s of strangers) await s.close();
  await f?.close();
});

/** A controller the agent does not know; its first request gets it a Controller row (UntrustedRole). */
async function stranger(eid: string): Promise<TestController> {
  const c = await TestController.connect(f.url, eid, AGENT_EID);
  strangers.push(c);
  expect(await value(c, 'Device.LocalAgent.EndpointID')).toBe(AGENT_EID);
  return c;
}

function response(m: UspMsg) {
  if (m.body.msgBody !== 'response') throw new Error(`expected a response, got ${JSON.stringify(m.body)}`);
  return m.body.response;
}

const operate = (c: TestController, command: string, inputArgs: Record<string, string>): Promise<OperationResult> => operateOne(c, command, inputArgs, 'challenge-test');
const failure = cmdFailureCode;
const outputs = outputArgs;

async function requestChallenge(c: TestController, ref: string, expiration?: number): Promise<OperationResult> {
  return operate(c, `${TRUST}RequestChallenge()`, { ChallengeRef: ref, ...(expiration === undefined ? {} : { RequestExpiration: String(expiration) }) });
}
async function respond(c: TestController, id: string, value: string): Promise<OperationResult> {
  return operate(c, `${TRUST}ChallengeResponse()`, { ChallengeID: id, Value: value });
}

/** One parameter's value as c sees it, or the Get error code. */
async function value(c: TestController, path: string): Promise<string | { err: number }> {
  const r = response(await c.send({ reqType: 'get', get: { paramPaths: [path], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  const [res] = r.getResp.reqPathResults;
  if (res.errCode) return { err: res.errCode };
  return res.resolvedPathResults![0].resultParams[path.slice(path.lastIndexOf('.') + 1)];
}

/** Sets Device.LocalAgent.MaxSubscriptionChangeAdoptionTime: 0 on success, else the parameter's error code. */
async function setAdoptionTime(c: TestController, seconds: number): Promise<number> {
  const m = await c.send({
    reqType: 'set',
    set: { allowPartial: false, updateObjs: [{ objPath: 'Device.LocalAgent.', paramSettings: [{ param: 'MaxSubscriptionChangeAdoptionTime', value: String(seconds), required: true }] }] },
  });
  if (m.body.msgBody === 'error') return m.body.error.paramErrs?.[0]?.errCode ?? m.body.error.errCode;
  return 0;
}

async function controllerRow(eid: string): Promise<string> {
  const r = response(await c1.send({ reqType: 'get', get: { paramPaths: [`Device.LocalAgent.Controller.[EndpointID=="${eid}"].EndpointID`], maxDepth: 0 } }));
  if (r.respType !== 'getResp') throw new Error(r.respType);
  return r.getResp.reqPathResults[0].resolvedPathResults![0].resolvedPath;
}

describe('RequestChallenge / ChallengeResponse with the right passphrase', () => {
  it('an untrusted controller gains the Challenge Role in place of UntrustedRole', async () => {
    const s = await stranger('proto::installer-app');
    expect(await setAdoptionTime(s, 42)).toBe(7006);
    const row = await controllerRow('proto::installer-app');
    expect(await value(c1, `${row}AssignedRole`)).toBe(`${ROLE}.3`);

    const out = outputs(await requestChallenge(s, `${CHALLENGE}.1`, 60));
    expect(out).toMatchObject({ Instruction: b64(INSTRUCTION), InstructionType: 'text/plain', ValueType: 'text/plain' });
    expect(out.ChallengeID).toMatch(/^\S{16,}$/);
    expect(outputs(await respond(s, out.ChallengeID, b64(PASSPHRASE)))).toEqual({});

    expect(await value(c1, `${row}AssignedRole`)).toBe(`${ROLE}.2`);
    expect(await setAdoptionTime(s, 42)).toBe(0);
    expect(await value(c1, 'Device.LocalAgent.MaxSubscriptionChangeAdoptionTime')).toBe('42');
    // The ChallengeID was used up.
    expect(failure(await respond(s, out.ChallengeID, b64(PASSPHRASE)))).toBe(7004);
  });

  it('takes the ChallengeRef as a key-based reference too, and keeps other assigned roles', async () => {
    const s = await stranger('proto::second-app');
    const row = await controllerRow('proto::second-app');
    const setRoles = await c1.send({
      reqType: 'set',
      set: { allowPartial: false, updateObjs: [{ objPath: row, paramSettings: [{ param: 'AssignedRole', value: `${ROLE}.3,${ROLE}.1`, required: true }] }] },
    });
    expect(setRoles.body.msgBody).toBe('response');
    const out = outputs(await requestChallenge(s, `${CHALLENGE}.[Alias=="label"]`));
    expect(outputs(await respond(s, out.ChallengeID, b64(PASSPHRASE)))).toEqual({});
    expect(await value(c1, `${row}AssignedRole`)).toBe(`${ROLE}.1,${ROLE}.2`);
  });

  it('keeps the passphrase secret: Challenge.{i}.Value reads empty without a secured role', async () => {
    expect(await value(c1, `${CHALLENGE}.1.Value`)).toBe('');
    expect(await value(c1, `${CHALLENGE}.1.Alias`)).toBe('label');
  });
});

describe('refusals', () => {
  it('a ChallengeRef that is not an enabled Challenge is an invalid value (7012)', async () => {
    const s = await stranger('proto::refused-1');
    expect(failure(await requestChallenge(s, `${CHALLENGE}.99`))).toBe(7012);
    expect(failure(await requestChallenge(s, `${CHALLENGE}.2`))).toBe(7012);
    expect(failure(await requestChallenge(s, 'Device.LocalAgent.ControllerTrust.Role.1'))).toBe(7012);
    expect(failure(await operate(s, `${TRUST}RequestChallenge()`, {}))).toBe(7027); // ChallengeRef is mandatory
  });

  it('unknown ChallengeIDs, and those of another controller, fail with 7004', async () => {
    const a = await stranger('proto::refused-2');
    const b = await stranger('proto::refused-3');
    expect(failure(await respond(a, 'no-such-id', b64(PASSPHRASE)))).toBe(7004);
    const out = outputs(await requestChallenge(a, `${CHALLENGE}.3`));
    expect(failure(await respond(b, out.ChallengeID, b64('another one')))).toBe(7004);
    expect(await value(c1, `${await controllerRow('proto::refused-3')}AssignedRole`)).toBe(`${ROLE}.3`);
  });

  it('one outstanding request per controller: another ChallengeRef is denied (7002), the same one renews', async () => {
    const s = await stranger('proto::refused-4');
    const first = outputs(await requestChallenge(s, `${CHALLENGE}.3`));
    expect(failure(await requestChallenge(s, `${CHALLENGE}.1`))).toBe(7002);
    const second = outputs(await requestChallenge(s, `${CHALLENGE}.3`));
    expect(second.ChallengeID).not.toBe(first.ChallengeID);
    expect(failure(await respond(s, first.ChallengeID, b64('another one')))).toBe(7004);
    expect(outputs(await respond(s, second.ChallengeID, b64('another one')))).toEqual({});
  });

  it('an expired ChallengeID fails with 7004', async () => {
    const s = await stranger('proto::refused-5');
    const out = outputs(await requestChallenge(s, `${CHALLENGE}.3`, 1));
    await new Promise((r) => setTimeout(r, 1100));
    expect(failure(await respond(s, out.ChallengeID, b64('another one')))).toBe(7004);
    expect(await value(c1, `${await controllerRow('proto::refused-5')}AssignedRole`)).toBe(`${ROLE}.3`);
  });
});

describe('wrong passphrases: Retries and LockoutPeriod', () => {
  it('counts failures, locks the Challenge after Retries of them (7002), and lifts the lock after LockoutPeriod', async () => {
    const s = await stranger('proto::guesser');
    const other = await stranger('proto::bystander');
    const row = await controllerRow('proto::guesser');
    const { ChallengeID: id } = outputs(await requestChallenge(s, `${CHALLENGE}.1`, 60));
    const first = await respond(s, id, b64('open sesame?'));
    expect(failure(first)).toBe(7004);
    expect(first.operationResp === 'cmdFailure' && first.cmdFailure.errMsg).toMatch(/1 of 2/);
    const second = await respond(s, id, b64('sesame open'));
    expect(failure(second)).toBe(7004);
    expect(second.operationResp === 'cmdFailure' && second.cmdFailure.errMsg).toMatch(/locked/);
    // Locked: even the right passphrase, and any new request on this Challenge, by anyone.
    expect(failure(await respond(s, id, b64(PASSPHRASE)))).toBe(7002);
    expect(failure(await requestChallenge(other, `${CHALLENGE}.1`))).toBe(7002);
    expect(await value(c1, `${row}AssignedRole`)).toBe(`${ROLE}.3`);
    // Another Challenge is not locked.
    expect(outputs(await requestChallenge(other, `${CHALLENGE}.3`)).ChallengeID).toBeTruthy();
    await new Promise((r) => setTimeout(r, 1100));
    expect(outputs(await respond(s, id, b64(PASSPHRASE)))).toEqual({});
    expect(await value(c1, `${row}AssignedRole`)).toBe(`${ROLE}.2`);
    expect(await setAdoptionTime(s, 43)).toBe(0);
  });
});
