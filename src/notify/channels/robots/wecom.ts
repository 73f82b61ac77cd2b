import type { RobotConfig } from '../../../config/schema.js';
import { ChannelError } from '../../types.js';
import { markdownLink, type RobotFormat, type RobotMessage } from './robot.js';

type WeComConfig = Extract<RobotConfig, { type: 'wecom' }>;

/** WeCom markdown holds at most 4096 bytes: longer text is cut at a line, saying so. */
const MAX_BYTES = 4096;

function fitBytes(lines: string[], tail: string[]): string {
  const out = [...lines];
  const size = () => Buffer.byteLength([...out, ...tail].join('\n'), 'utf8');
  if (size() <= MAX_BYTES) return [...out, ...tail].join('\n');
  while (out.length > 1 && Buffer.byteLength([...out, '…', ...tail].join('\n'), 'utf8') > MAX_BYTES) out.pop();
  return [...out, '…', ...tail].join('\n');
}

/** A WeCom (企业微信) group robot: `webhook/send?key=`, a markdown message, @mention of the person by userid. */
export function weCom(config: WeComConfig): RobotFormat {
  return {
    type: 'wecom',
    request(m: RobotMessage) {
      if (!config.key) return null;
      const url = new URL('/cgi-bin/webhook/send', config.baseUrl);
      url.searchParams.set('key', config.key);
      const colour = m.severity === 'critical' ? 'warning' : m.severity === 'warning' ? 'comment' : 'info';
      const tail = [
        ...(m.actions ? ['', `${markdownLink(m.labels.acknowledge, m.actions.acknowledge)} · ${markdownLink(m.labels.resolve, m.actions.resolve)}`] : []),
        ...(m.mention?.wecom ? ['', `<@${m.mention.wecom}>`] : []),
      ];
      const content = fitBytes([`### <font color="${colour}">${m.title}</font>`, ...m.lines.map((l) => (l.startsWith('>') ? `\\${l}` : l))], tail);
      return { url: url.toString(), body: { msgtype: 'markdown', markdown: { content } } };
    },
    refusal(data) {
      const d = data as { errcode?: unknown; errmsg?: unknown } | null;
      if (!d || typeof d !== 'object' || d.errcode === 0 || d.errcode === undefined) return null;
      const message = `wecom: ${String(d.errcode)} ${String(d.errmsg ?? '')}`.trim();
      // 45009: more than 20 messages a minute from this robot.
      if (d.errcode === 45009) return new ChannelError('rate_limited', message, 60_000);
      // 93000: the key names no robot (removed from the group, or wrong).
      if (d.errcode === 93000 || d.errcode === 40001 || d.errcode === 40014) return new ChannelError('auth', message);
      if (d.errcode === -1) return new ChannelError('server', message);
      return new ChannelError('client', message);
    },
  };
}
