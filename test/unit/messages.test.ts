import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { callTwiml } from '../../src/notify/channels/voice.js';
import { render } from '../../src/notify/render.js';
import { buildChatMessage } from '../../src/notify/render-chat.js';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { translate as consoleTranslate } from '../../src/console/web/i18n.js';
import { catalogs, locales, type MessageKey } from '../../src/text/messages/catalog.js';
import { sampleIncident } from '../helpers/deliveries.js';

const consoleDir = path.join(import.meta.dirname, '..', '..', 'src', 'console', 'web');

type Element = { type: number; value?: unknown; options?: Record<string, { value: Element[] }> };

/** The arguments a message uses ({name}, and those of plurals and selects, inside their options too), from its parsed form. */
function argumentsOf(text: string, locale = 'en'): Set<string> {
  const names = new Set<string>();
  const walk = (elements: Element[]) => {
    for (const e of elements) {
      // 0 is literal text and 7 the plural's #: every other element names an argument.
      if (e.type !== 0 && e.type !== 7 && typeof e.value === 'string') names.add(e.value);
      for (const option of Object.values(e.options ?? {})) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(text, locale).getAst() as Element[]);
  return names;
}

describe('the message catalogs', () => {
  it('every language has every key, each a valid ICU message with the same arguments as the English one', () => {
    const keys = Object.keys(catalogs.en).sort();
    for (const locale of locales) {
      expect(Object.keys(catalogs[locale]).sort(), locale).toEqual(keys);
      for (const key of keys) {
        const text = catalogs[locale][key as keyof (typeof catalogs)['en']];
        expect(() => new IntlMessageFormat(text, locale), `${locale} ${key}`).not.toThrow();
        expect(argumentsOf(text, locale), `${locale} ${key}`).toEqual(argumentsOf(catalogs.en[key as keyof (typeof catalogs)['en']]));
      }
    }
  });
});

describe('the console reads the same catalog', () => {
  const sources = readdirSync(consoleDir).filter((f) => /\.tsx?$/.test(f)).map((f) => readFileSync(path.join(consoleDir, f), 'utf8'));
  const keys = Object.keys(catalogs.en);
  // Keys written out ('board.title') and keys built from data (`kind.${kind}`): every key under such a prefix.
  const literal = new Set(sources.flatMap((src) => [...src.matchAll(/'([a-zA-Z][\w-]*(?:\.[\w-]+)+)'/g)].map((m) => m[1]!)).filter((k) => keys.includes(k)));
  const prefixes = new Set(sources.flatMap((src) => [...src.matchAll(/`([a-zA-Z][\w.]*\.)\$\{/g)].map((m) => m[1]!)));
  const used = keys.filter((k) => literal.has(k) || [...prefixes].some((p) => k.startsWith(p)));

  it('finds the console’s keys in its sources', () => {
    expect(used.length).toBeGreaterThan(250);
    expect(used).toContain('popup.title');
    expect(used).toContain('kind.escalated');
  });

  it('every message the console shows is plain ICU ({name} only), so its light formatter reads it exactly as ICU does', () => {
    for (const locale of locales) {
      for (const key of used as MessageKey[]) {
        const ast = new IntlMessageFormat(catalogs[locale][key], locale).getAst() as Element[];
        expect(ast.every((e) => e.type === 0 || e.type === 1), `${locale} ${key} has only text and {name} arguments`).toBe(true);
        const values = Object.fromEntries([...argumentsOf(catalogs[locale][key], locale)].map((name) => [name, `<${name}>`]));
        expect(consoleTranslate(locale, key, values), `${locale} ${key}`).toBe(String(new IntlMessageFormat(catalogs[locale][key], locale).format(values)));
      }
    }
  });
});

describe('a page in Chinese', () => {
  const incident = sampleIncident({ title: '支付服务 CPU 使用率超过 95%', team: 'shanghai', details: ['checkout-1 97%'] });
  const actions = { acknowledge: 'https://vigil.example/a/1', resolve: 'https://vigil.example/a/2' };

  it('says everything in the handbook\'s words: subject, facts, links, the spoken text', () => {
    const r = render('page', incident, { locale: 'zh-CN', actions });
    expect(r.subject).toBe('[P1 告警] #42 支付服务 CPU 使用率超过 95%');
    expect(r.text).toBe(
      ['#42 支付服务 CPU 使用率超过 95%', '级别：严重（P1），状态：待响应，checkout / shanghai', 'checkout-1 97%', '', `确认：${actions.acknowledge}`, `解决：${actions.resolve}`, ''].join('\n'),
    );
    expect(r.html).toContain('>确认</a>');
    expect(r.speech).toBe('Vigil 告警。优先级 1，严重。事件 42：支付服务 CPU 使用率超过 95%，服务 checkout。');
    expect(r.actionLabels).toEqual({ acknowledge: '确认', resolve: '解决' });
    expect(r.locale).toBe('zh-CN');
  });

  it('its SMS is one 70-character segment: a long title is cut, the reply hint kept', () => {
    expect(render('page', incident, { locale: 'zh-CN' }).sms).toBe('[P1 告警] #42 支付服务 CPU 使用率超过 95%（checkout / shanghai）。回复 42a 确认，42r 解决');
    const long = render('page', { ...incident, title: '数据库主库复制延迟持续升高，订单写入失败率超过百分之五，影响全部华东地区用户的下单和支付流程' }, { locale: 'zh-CN' }).sms;
    expect([...long].length).toBeLessThanOrEqual(70);
    expect(long).toMatch(/…（checkout \/ shanghai）。回复 42a 确认，42r 解决$/);
  });

  it('a progress reminder and a resolved notice too', () => {
    const reminder = render('reminder', { ...incident, progress: { openForMs: 30 * 60_000, updates: [] } }, { locale: 'zh-CN' });
    expect(reminder.subject).toBe('[P1 进度提醒] #42 支付服务 CPU 使用率超过 95%');
    expect(reminder.text).toContain('已持续 30分钟。请更新进度（回复本消息或添加备注）。\n暂无进度更新。');
    // The updates' times in the reader's zone, named.
    const update = { at: Date.parse('2026-03-10T14:05:00Z'), by: 'wei', text: '已切换到备用网关' };
    const later = render('reminder', { ...incident, progress: { openForMs: 90 * 60_000, updates: [update] } }, { locale: 'zh-CN', timeZone: 'Asia/Shanghai' });
    expect(later.text).toContain('已持续 1小时30分钟。');
    expect(later.text).toContain('最新进度：\n- 22:05 GMT+8 wei：已切换到备用网关');
    expect(render('reminder', { ...incident, progress: { openForMs: 90 * 60_000, updates: [update] } }).text).toContain('Open for 1h30m.');
    expect(render('reminder', { ...incident, progress: { openForMs: 90 * 60_000, updates: [update] } }).text).toContain('- 14:05 UTC wei: 已切换到备用网关');
    expect(render('resolved', { ...incident, status: 'resolved', resolvedBy: '王伟' }, { locale: 'zh-CN' }).text).toContain('状态：已解决');
    expect(render('resolved', incident, { locale: 'zh-CN' }).speech).toBe('Vigil。事件 42 已解决。');
  });

  it('comes to Slack with a Chinese layout: status, counts, context and buttons', () => {
    const rendered = render('page', incident, { locale: 'zh-CN', actions });
    const message = buildChatMessage({ kind: 'page', incident, rendered });
    expect((message.blocks[0] as { text: { text: string } }).text.text).toBe('🔴 P1 · 严重 · 支付服务 CPU 使用率超过 95%');
    const body = JSON.stringify(message.attachments[0]!.blocks);
    expect(body).toContain('*待响应* · 2 条告警');
    expect(body).toContain('事件 #42');
    expect(body).toContain('团队：shanghai');
    expect(body).toContain('"text":"确认"');
    expect(body).toContain('"text":"解决"');
    const english = JSON.stringify(buildChatMessage({ kind: 'page', incident, rendered: render('page', incident, { actions }) }).attachments[0]!.blocks);
    expect(english).toContain('*Triggered* · 2 alerts');
    expect(english).toContain('"text":"Acknowledge"');
  });

  it('the English page is unchanged by it', () => {
    const r = render('page', incident, { actions });
    expect(r.subject).toBe('[P1 ALERT] #42 支付服务 CPU 使用率超过 95%');
    expect(r.text).toContain('Severity critical (P1), status triggered, checkout / shanghai');
    expect(r.text).toContain(`Acknowledge: ${actions.acknowledge}`);
    expect(r.speech).toBe('Vigil alert. Priority 1, critical. Incident 42: 支付服务 CPU 使用率超过 95%, on checkout.');
  });

  it('the call speaks Chinese with a zh-CN voice, the keypad menu included', () => {
    const twiml = callTwiml('Vigil 告警。', 'https://vigil.example/api/v1/callbacks/twilio/voice?incident=42', 'zh-CN');
    expect(twiml).toContain('<Say language="zh-CN">Vigil 告警。</Say>');
    expect(twiml).toContain('<Say language="zh-CN">确认请按 4，解决请按 6，升级请按 5。</Say>');
    expect(twiml).toContain('<Say language="zh-CN">再见。</Say>');
    expect(callTwiml('Vigil alert.', null)).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say>Vigil alert.</Say><Say>Goodbye.</Say></Response>');
  });
});
