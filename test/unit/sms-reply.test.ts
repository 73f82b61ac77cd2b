import { describe, expect, it } from 'vitest';
import { parseSmsReply } from '../../src/notify/inbound/twilio.js';

describe('parseSmsReply', () => {
  it.each([
    ['4', 'acknowledge', null],
    ['ACK', 'acknowledge', null],
    ['ack', 'acknowledge', null],
    ['Ack.', 'acknowledge', null],
    ['ACK 123', 'acknowledge', 123],
    ['ack #123', 'acknowledge', 123],
    ['ACKNOWLEDGE 123', 'acknowledge', 123],
    ['123a', 'acknowledge', 123],
    ['123A', 'acknowledge', 123],
    ['123 a', 'acknowledge', 123],
    ['  4 123  ', 'acknowledge', 123],
    ['6', 'resolve', null],
    ['6 123', 'resolve', 123],
    ['RES', 'resolve', null],
    ['RES 123', 'resolve', 123],
    ['resolve 123', 'resolve', 123],
    ['RESOLVE 123', 'resolve', 123],
    ['123r', 'resolve', 123],
    ['123 R', 'resolve', 123],
    ['5', 'escalate', null],
    ['5 123', 'escalate', 123],
    ['ESC 123', 'escalate', 123],
    ['esc', 'escalate', null],
    ['123e', 'escalate', 123],
    ['确认', 'acknowledge', null],
    ['确认 123', 'acknowledge', 123],
    ['确认123。', 'acknowledge', 123],
    ['123确认', 'acknowledge', 123],
    ['解决 123', 'resolve', 123],
    ['123 解决', 'resolve', 123],
    ['升级', 'escalate', null],
  ] as const)('%j → %s %s', (body, action, incidentId) => {
    expect(parseSmsReply(body)).toEqual({ action, incidentId });
  });

  it.each([
    '',
    'on it, looking now',
    'ack later please',
    'a',
    '123',
    '7',
    '4123',
    '7 123',
    '123x',
    '123 4',
    'ACK abc',
    'constructor',
    'constructor 12',
    '12 toString',
    'ACK 99999999999999999999',
    '确认一下',
    '已确认 123',
  ])('%j is not a command', (body) => {
    expect(parseSmsReply(body)).toBeNull();
  });
});
