/**
 * The datagram peek that bounds Block1 uploads before the `coap` package buffers them (RFC 7252
 * §3, RFC 7959 §2.2/2.9.3), checked against datagrams the package itself generates.
 */
import { generate, parse } from 'coap-packet';
import { describe, expect, it } from 'vitest';
import { block1End, errorReply, peekDatagram } from '../../../../mtp/coap/coap-datagram.js';

const block1Value = (num: number, more: boolean, szx: number): Buffer => {
  const v = (num << 4) | (more ? 8 : 0) | szx;
  return num >= 4096 ? Buffer.from([v >> 16, (v >> 8) & 0xff, v & 0xff]) : num >= 16 ? Buffer.from([v >> 8, v & 0xff]) : Buffer.from([v]);
};

describe('peekDatagram', () => {
  it('reads type, code, message id, token, Block1 and payload length', () => {
    const msg = generate({
      confirmable: true,
      code: '0.02',
      messageId: 0xbeef,
      token: Buffer.from([1, 2, 3]),
      options: [
        { name: 'Uri-Path', value: Buffer.from('usp') },
        { name: 'Uri-Query', value: Buffer.from('reply-to=coap://h/x') },
        { name: 'Block1', value: block1Value(300, true, 6) },
      ],
      payload: Buffer.alloc(1024, 1),
    });
    const head = peekDatagram(msg)!;
    expect(head).toMatchObject({ type: 'CON', code: 2, messageId: 0xbeef, payloadLength: 1024, block1: { num: 300, more: true, size: 1024 } });
    expect([...head.token]).toEqual([1, 2, 3]);
    expect(block1End(head)).toBe(301 * 1024);
  });

  it('needs no Block1 and copes with long options (extended deltas and lengths)', () => {
    const msg = generate({
      confirmable: false,
      code: '0.02',
      messageId: 7,
      options: [
        { name: 'Uri-Query', value: Buffer.alloc(300, 0x61) },
        { name: 'Size1', value: Buffer.from([1, 0]) },
      ],
      payload: Buffer.from('abc'),
    });
    const head = peekDatagram(msg)!;
    expect(head.type).toBe('NON');
    expect(head.block1).toBeUndefined();
    expect(block1End(head)).toBe(3);
  });

  it('returns undefined for what is not a CoAP datagram', () => {
    expect(peekDatagram(Buffer.from([]))).toBeUndefined();
    expect(peekDatagram(Buffer.from('hello world'))).toBeUndefined(); // version 1 bits missing
    expect(peekDatagram(Buffer.from([0x49, 0x02, 0, 1]))).toBeUndefined(); // token length 9
    expect(peekDatagram(Buffer.from([0x40, 0x02, 0, 1, 0xd1]))).toBeUndefined(); // truncated extended delta
    expect(peekDatagram(Buffer.from([0x40, 0x02, 0, 1, 0xf0]))).toBeUndefined(); // reserved nibble 15
    expect(peekDatagram(Buffer.from([0x40, 0x02, 0, 1, 0x15, 0x61]))).toBeUndefined(); // option longer than the datagram
  });
});

describe('errorReply', () => {
  it('piggybacks 4.13 with Size1 and a diagnostic on the ACK of a CON request', () => {
    const head = peekDatagram(generate({ confirmable: true, code: '0.02', messageId: 0x1234, token: Buffer.from([9, 9]), payload: Buffer.from('x') }))!;
    const reply = parse(errorReply(head, 4, 13, 'too large', 1024 * 1024));
    expect(reply).toMatchObject({ ack: true, code: '4.13', messageId: 0x1234 });
    expect([...reply.token]).toEqual([9, 9]);
    expect(reply.options.find((o) => o.name === 'Size1')?.value).toEqual(Buffer.from([0x10, 0, 0]));
    expect(reply.payload.toString()).toBe('too large');
  });

  it('answers a NON request with a NON', () => {
    const head = peekDatagram(generate({ confirmable: false, code: '0.02', messageId: 5, payload: Buffer.from('x') }))!;
    const reply = parse(errorReply(head, 4, 0, ''));
    expect(reply).toMatchObject({ ack: false, confirmable: false, code: '4.00' });
    expect(reply.payload.length).toBe(0);
  });
});
