import { describe, expect, it } from 'vitest';
import { MsgDecodeError } from '../../../../agent/codec/errors.js';
import { decodeMsg, encodeMsg, errorMsg, errorMsgFromUspError, peekMsgId, requestMsg, responseMsg } from '../../../../agent/codec/msg.js';
import { ErrorCode, UspError } from '../../../../datamodel/UspError.js';
import { cat, fixed32, len, msg, str, tag, vint } from './pbwire.js';
import { sampleMsgs } from './samples.js';

/** Runs decodeMsg expecting a MsgDecodeError and returns it. */
function decodeFails(bytes: Uint8Array): MsgDecodeError {
  try {
    decodeMsg(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(MsgDecodeError);
    expect(e).toBeInstanceOf(UspError);
    return e as MsgDecodeError;
  }
  throw new Error('decodeMsg did not throw');
}

// Msg { header { msg_id, msg_type }, body { request { ... } } } built by hand.
const header = (id = 'm-1', type = 1) => msg(1, str(1, id), vint(2, type));
const getReq = msg(1, str(1, 'Device.'));
const setReq = msg(4, msg(2, str(1, 'Device.X.'), msg(2, str(1, 'A'), str(2, 'b'))));
const withRequest = (...members: Uint8Array[]) => cat(header(), msg(2, msg(1, ...members)));

describe('decodeMsg / encodeMsg round trips', () => {
  it.each(sampleMsgs())('%s', (_name, m) => {
    const bytes = encodeMsg(m);
    expect(decodeMsg(bytes)).toEqual(m);
  });

  it('fills proto defaults for fields the builder left out', () => {
    const m = responseMsg('r1', {
      respType: 'getResp',
      getResp: { reqPathResults: [{ requestedPath: 'Device.X.', errCode: 7016, errMsg: 'no such object' }] },
    });
    const back = decodeMsg(encodeMsg(m));
    expect(back.body).toEqual({
      msgBody: 'response',
      response: {
        respType: 'getResp',
        getResp: { reqPathResults: [{ requestedPath: 'Device.X.', errCode: 7016, errMsg: 'no such object', resolvedPathResults: [] }] },
      },
    });
  });

  it('encodes err_code as fixed32 on the wire', () => {
    const bytes = encodeMsg(errorMsg('e1', 7004, 'x'));
    // body(2) > error(3) > err_code(1, wire type 5) little-endian 7004. msg_type ERROR (0) is
    // left off the wire as proto3 does: usp-js hangs on an explicit 0 (test/peers adapter notes).
    const expected = cat(msg(1, str(1, 'e1')), msg(2, msg(3, fixed32(1, 7004), str(2, 'x'))));
    expect(Array.from(bytes)).toEqual(Array.from(expected));
  });

  it('decodes a Get request built by hand', () => {
    const m = decodeMsg(cat(header(), msg(2, msg(1, msg(1, str(1, 'Device.'), str(1, 'Device.Time.'), fixed32(2, 3))))));
    expect(m).toEqual({
      header: { msgId: 'm-1', msgType: 'GET' },
      body: { msgBody: 'request', request: { reqType: 'get', get: { paramPaths: ['Device.', 'Device.Time.'], maxDepth: 3 } } },
    });
  });
});

describe('builders', () => {
  it('derive msg_type from the body member', () => {
    expect(responseMsg('a', { respType: 'getSupportedProtocolResp', getSupportedProtocolResp: { agentSupportedProtocolVersions: '1.4' } }).header).toEqual({
      msgId: 'a',
      msgType: 'GET_SUPPORTED_PROTO_RESP',
    });
    expect(requestMsg('b', { reqType: 'notify', notify: { subscriptionId: 's', sendResp: false, notification: 'objDeletion', objDeletion: { objPath: 'Device.X.1.' } } }).header).toEqual({
      msgId: 'b',
      msgType: 'NOTIFY',
    });
  });

  it('errorMsgFromUspError carries code, message and parameter errors', () => {
    const err = new UspError(ErrorCode.RequiredParamFailed, 'required parameter failed', {
      paramErrors: [{ param: 'Device.X.1.A', code: ErrorCode.InvalidValue, message: 'bad' }],
    });
    const back = decodeMsg(encodeMsg(errorMsgFromUspError('s-9', err)));
    expect(back).toEqual({
      header: { msgId: 's-9', msgType: 'ERROR' },
      body: { msgBody: 'error', error: { errCode: 7021, errMsg: 'required parameter failed', paramErrs: [{ paramPath: 'Device.X.1.A', errCode: 7012, errMsg: 'bad' }] } },
    });
  });

  it('peekMsgId reads the id from valid and broken bytes', () => {
    expect(peekMsgId(encodeMsg(errorMsg('abc', 7000, '')))).toBe('abc');
    expect(peekMsgId(cat(header('xyz'), new Uint8Array([0x12, 0x50, 0x01])))).toBe('xyz');
    expect(peekMsgId(new Uint8Array([0xff, 0xff]))).toBeUndefined();
  });
});

describe('decodeMsg rejects malformed input with a typed error', () => {
  it('random garbage', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: 1 + (i % 40) }, rnd);
      try {
        decodeMsg(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(MsgDecodeError);
        expect([ErrorCode.InvalidArguments, ErrorCode.MessageNotSupported]).toContain((e as MsgDecodeError).code);
        continue;
      }
      throw new Error(`garbage decoded: ${Array.from(bytes).join(',')}`);
    }
  });

  it('empty bytes', () => {
    expect(decodeFails(new Uint8Array()).code).toBe(ErrorCode.InvalidArguments);
  });

  it('every truncation of a valid Msg, with the msg_id once the header is complete', () => {
    const full = encodeMsg(sampleMsgs()[3]![1]);
    const headerLen = 2 + full[1]!;
    for (let n = 1; n < full.length; n++) {
      const e = decodeFails(full.subarray(0, n));
      expect(e.code).toBe(ErrorCode.InvalidArguments);
      if (n >= headerLen) expect(e.msgId).toBe('set-1');
    }
  });

  it('two members in Request', () => {
    const e = decodeFails(withRequest(getReq, setReq));
    expect(e.code).toBe(ErrorCode.InvalidArguments);
    expect(e.msgId).toBe('m-1');
    expect(e.reason).toBe('oneof');
  });

  it('two members in Body (request and error)', () => {
    const e = decodeFails(cat(header(), msg(2, msg(1, getReq), msg(3, fixed32(1, 7000)))));
    expect([e.code, e.msgId]).toEqual([ErrorCode.InvalidArguments, 'm-1']);
  });

  it('two members in Response', () => {
    const resp = msg(2, msg(1, msg(1)), msg(8, str(1, 's')));
    expect(decodeFails(cat(header(), msg(2, resp))).code).toBe(ErrorCode.InvalidArguments);
  });

  it('two members spread over two occurrences of Body', () => {
    // protobuf would merge the two Body occurrences into one Body holding request and error
    const e = decodeFails(cat(header(), msg(2, msg(1, getReq)), msg(2, msg(3, fixed32(1, 7000)))));
    expect([e.code, e.msgId]).toEqual([ErrorCode.InvalidArguments, 'm-1']);
  });

  it('a singular sub-message split over two occurrences (protobufjs would drop the first)', () => {
    const e = decodeFails(withRequest(getReq, msg(1, str(1, 'Device.Time.'))));
    expect([e.code, e.msgId]).toEqual([ErrorCode.InvalidArguments, 'm-1']);
    expect(e.message).toMatch(/more than once/);
  });

  it('a repeated scalar field repeated, and a singular scalar twice (last wins), are fine', () => {
    const twoIds = msg(1, str(1, 'first'), vint(2, 1), str(1, 'second'));
    const m = decodeMsg(cat(twoIds, msg(2, msg(1, msg(1, str(1, 'A.'), str(1, 'B.'))))));
    expect(m.header.msgId).toBe('second');
    expect(m.body).toMatchObject({ request: { get: { paramPaths: ['A.', 'B.'] } } });
  });

  it('two members in a nested oneof (AddResp OperationStatus)', () => {
    const status = msg(2, msg(1, fixed32(1, 7017)), msg(2, str(1, 'Device.X.1.')));
    const resp = msg(2, msg(5, msg(1, str(1, 'Device.X.'), status)));
    expect(decodeFails(cat(header('a', 9), msg(2, resp))).code).toBe(ErrorCode.InvalidArguments);
  });

  it('a Request with no member', () => {
    const e = decodeFails(cat(header(), msg(2, msg(1))));
    expect([e.code, e.reason, e.msgId]).toEqual([ErrorCode.InvalidArguments, 'oneof', 'm-1']);
  });

  it('a Body with no member', () => {
    expect(decodeFails(cat(header(), msg(2))).code).toBe(ErrorCode.InvalidArguments);
  });

  it('a Request member from a newer USP is 7001, with the msg_id', () => {
    const e = decodeFails(cat(header('new-1', 23), msg(2, msg(1, msg(12, str(1, 'x'))))));
    expect([e.code, e.reason, e.msgId]).toEqual([ErrorCode.MessageNotSupported, 'unsupported', 'new-1']);
  });

  it('missing header, missing msg_id, missing body', () => {
    const noHeader = decodeFails(msg(2, msg(1, getReq)));
    expect([noHeader.code, noHeader.reason, noHeader.msgId]).toEqual([ErrorCode.InvalidArguments, 'missingField', undefined]);
    expect(decodeFails(cat(msg(1, vint(2, 1)), msg(2, msg(1, getReq)))).code).toBe(ErrorCode.InvalidArguments);
    const noBody = decodeFails(header('h-1'));
    expect([noBody.code, noBody.msgId]).toEqual([ErrorCode.InvalidArguments, 'h-1']);
  });

  it('an unknown enum value (msg_type 99)', () => {
    const e = decodeFails(cat(header('u-1', 99), msg(2, msg(1, getReq))));
    expect([e.code, e.reason, e.msgId]).toEqual([ErrorCode.InvalidArguments, 'unknownEnum', 'u-1']);
  });

  it('a known field with the wrong wire type', () => {
    expect(decodeFails(cat(msg(1, vint(1, 5)), msg(2, msg(1, getReq)))).reason).toBe('notParsed');
    // max_depth is fixed32; a varint there must not be misread
    expect(decodeFails(withRequest(msg(1, vint(2, 3)))).code).toBe(ErrorCode.InvalidArguments);
  });

  it('a string that is not UTF-8', () => {
    const bad = len(1, new Uint8Array([0xc3, 0x28]));
    expect(decodeFails(withRequest(msg(1, bad))).msgId).toBe('m-1');
  });

  it('a group or reserved wire type', () => {
    expect(decodeFails(cat(header(), tag(9, 3), tag(9, 4))).code).toBe(ErrorCode.InvalidArguments);
    expect(decodeFails(cat(header(), tag(9, 7))).code).toBe(ErrorCode.InvalidArguments);
  });

  it('ignores unknown fields outside the oneofs', () => {
    const m = decodeMsg(cat(header(), str(15, 'future'), msg(2, msg(1, getReq, vint(30, 1)))));
    expect(m.header.msgId).toBe('m-1');
  });
});
