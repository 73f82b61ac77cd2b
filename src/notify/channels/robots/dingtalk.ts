import { createHmac } from 'node:crypto';
import type { RobotConfig } from '../../../config/schema.js';
import { ChannelError } from '../../types.js';
import { markdownLink, type RobotFormat, type RobotMessage } from './robot.js';

type DingTalkConfig = Extract<RobotConfig, { type: 'dingtalk' }>;

/** The robot's signature (加签): base64 HMAC-SHA256, keyed with the secret, over "<timestamp ms>\n<secret>". */
export function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** DingTalk mentions by the mobile number the person registered: the national number for +86, else the digits. */
export function dingTalkMobile(e164: string): string {
  return e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
}

/** A DingTalk group's custom robot: `robot/send?access_token=`, a markdown message, @mention of the person by mobile. */
export function dingTalk(config: DingTalkConfig): RobotFormat {
  return {
    type: 'dingtalk',
    request(m: RobotMessage, nowMs: number) {
      if (!config.accessToken) return null;
      const url = new URL('/robot/send', config.baseUrl);
      url.searchParams.set('access_token', config.accessToken);
      if (config.secret) {
        url.searchParams.set('timestamp', String(nowMs));
        url.searchParams.set('sign', dingTalkSign(config.secret, nowMs));
      }
      const mobile = m.mention?.phone ? dingTalkMobile(m.mention.phone) : null;
      const text = [
        `### ${m.title}`,
        '',
        ...m.lines.map((l) => (l === '' ? '' : `${l}  `)),
        ...(m.actions ? ['', `${markdownLink(m.labels.acknowledge, m.actions.acknowledge)} · ${markdownLink(m.labels.resolve, m.actions.resolve)}`] : []),
        // DingTalk notifies the person only when the text names them too.
        ...(mobile ? ['', `@${mobile}`] : []),
      ].join('\n');
      return { url: url.toString(), body: { msgtype: 'markdown', markdown: { title: m.title, text }, at: { atMobiles: mobile ? [mobile] : [], isAtAll: false } } };
    },
    refusal(data) {
      const d = data as { errcode?: unknown; errmsg?: unknown } | null;
      if (!d || typeof d !== 'object' || d.errcode === 0 || d.errcode === undefined) return null;
      const message = `dingtalk: ${String(d.errcode)} ${String(d.errmsg ?? '')}`.trim();
      // 130101: more than 20 messages a minute from this robot.
      if (d.errcode === 130101) return new ChannelError('rate_limited', message, 60_000);
      // 300001 token, 310000 signature, keywords or address list: the robot's settings refuse us.
      if (d.errcode === 300001 || d.errcode === 310000 || d.errcode === 400101) return new ChannelError('auth', message);
      if (d.errcode === -1) return new ChannelError('server', message);
      return new ChannelError('client', message);
    },
  };
}
