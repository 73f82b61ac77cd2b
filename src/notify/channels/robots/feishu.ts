import { createHmac } from 'node:crypto';
import type { RobotConfig } from '../../../config/schema.js';
import { ChannelError } from '../../types.js';
import type { RobotFormat, RobotMessage } from './robot.js';

type FeishuConfig = Extract<RobotConfig, { type: 'feishu' }>;

/** The bot's signature (签名校验): base64 HMAC-SHA256 keyed with "<timestamp s>\n<secret>" over nothing. */
export function feishuSign(secret: string, timestampS: number): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

const template = { critical: 'red', warning: 'orange', reminder: 'blue', info: 'grey' } as const;

/** lark_md reads these as markup: shown as written. */
const plain = (text: string) => text.replace(/([*_~`<>[\]])/g, '\\$1');

/** A Feishu / Lark group's custom bot: `bot/v2/hook/<id>`, an interactive card with link buttons, @mention by open_id. */
export function feishu(config: FeishuConfig): RobotFormat {
  return {
    type: 'feishu',
    request(m: RobotMessage, nowMs: number) {
      if (!config.hook) return null;
      const url = new URL(`/open-apis/bot/v2/hook/${encodeURIComponent(config.hook)}`, config.baseUrl);
      const content = [...m.lines.map(plain), ...(m.mention?.feishu ? ['', `<at id=${m.mention.feishu}></at>`] : [])].join('\n');
      const button = (text: string, href: string, type: 'primary' | 'default') => ({ tag: 'button', text: { tag: 'plain_text', content: text }, type, url: href });
      const card = {
        config: { wide_screen_mode: true },
        header: { title: { tag: 'plain_text', content: m.title }, template: m.severity ? template[m.severity] : 'blue' },
        elements: [
          { tag: 'div', text: { tag: 'lark_md', content } },
          ...(m.actions ? [{ tag: 'action', actions: [button(m.labels.acknowledge, m.actions.acknowledge, 'primary'), button(m.labels.resolve, m.actions.resolve, 'default')] }] : []),
        ],
      };
      const timestamp = Math.floor(nowMs / 1000);
      const signed = config.secret ? { timestamp: String(timestamp), sign: feishuSign(config.secret, timestamp) } : {};
      return { url: url.toString(), body: { ...signed, msg_type: 'interactive', card } };
    },
    refusal(data) {
      const d = data as { code?: unknown; msg?: unknown; StatusCode?: unknown } | null;
      if (!d || typeof d !== 'object') return null;
      const code = d.code ?? d.StatusCode;
      if (code === 0 || code === undefined) return null;
      const message = `feishu: ${String(code)} ${String(d.msg ?? '')}`.trim();
      // 9499 / 11232: too many requests for this bot.
      if (code === 9499 || code === 11232) return new ChannelError('rate_limited', message, 60_000);
      // 19021 signature, 19022 address list, 19001 unknown hook: the bot's settings refuse us.
      if (code === 19021 || code === 19022 || code === 19001) return new ChannelError('auth', message);
      return new ChannelError('client', message);
    },
  };
}
