import { describe, expect, it } from 'vitest';
import { renderDigest, renderDigestChat } from '../../src/reports/digest.js';
import { computeSummary } from '../../src/reports/figures.js';
import { humanDuration, reader } from '../../src/reports/format.js';
import { renderReview } from '../../src/reports/review.js';
import { renderReviewEmail } from '../../src/reports/review-email.js';
import { clip, textTable } from '../../src/reports/text-table.js';
import { seededWeek, since, timeZone, until } from '../fixtures/reports/week.js';

const summary = () => computeSummary({ since, until, timeZone, ...seededWeek() });
const zh = reader('zh-CN');
const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ');

describe('the digest in Chinese', () => {
  const digest = renderDigest(summary(), { title: '每周报告', baseUrl: 'https://vigil.example.com', reader: zh });

  it('says in its subject how the period went, with Chinese dates', () => {
    expect(digest.subject).toBe('[Vigil] 每周报告，2026年3月9日 – 3月16日：10 个事件，3 个未解决，响应 SLA 71.4%（未达成），解决 SLA 66.6%（未达成）');
  });

  it('has the figures, charts and lists in the handbook’s words, dates and durations in Chinese', () => {
    const text = textOf(digest.html);
    expect(digest.html).toContain('<html lang="zh-CN">');
    expect(text).toContain('2026年3月9日 周一 00:00 – 2026年3月16日 周一 00:00（Europe/Berlin）');
    expect(text).toContain('响应时间 MTTA 10分00秒 中位数 · p90 1小时00分');
    expect(text).toContain('目标 95%：未达成（5/7）');
    expect(text).toContain('每日事件数 3月9日 周一');
    expect(text).toContain('未解决的事件（3）');
    expect(text).toContain('#7 P1 严重 待响应 2小时00分 payments Payment gateway down');
    expect(text).toContain('否（已通知所有层级）');
    expect(text).toContain('发给个人的通知 11 次，夜间 6 次（22:00–07:00，Europe/Berlin）；发到共享渠道 1 次。');
    expect(text).not.toMatch(/\b(incidents|median|open for|resolved|MISSED)\b/);
  });

  it('has a text part whose columns line up with Chinese text in them', () => {
    expect(digest.text).toContain('每周报告：2026年3月9日 周一 00:00 – 2026年3月16日 周一 00:00（Europe/Berlin）');
    expect(digest.text).toContain('事件：10 个（严重 5，警告 3，提醒 1，信息 1；P1 5，P2 3，P3 1，P4 1），已解决 8 个');
    expect(digest.text).toMatch(/响应时间 \(MTTA\)\s+10分00秒\s+1小时00分\s+5\n/);
    expect(digest.text).toContain('本期图表和明细：https://vigil.example.com/reports?');
    // Every row of the SLA table is as wide as its rule line: a Chinese character takes two columns.
    const sla = digest.text.slice(digest.text.indexOf('SLA 达成率\n')).split('\n').slice(2, 5);
    const columns = (line: string) => [...line].reduce((n, ch) => n + (/[\u3000-\u9fff\uff00-\uff60]/.test(ch) ? 2 : 1), 0);
    expect(sla.map(columns)).toEqual(sla.map(() => columns(sla[0]!)));
  });

  it('comes to a chat channel in Chinese too', () => {
    const chat = renderDigestChat(summary(), { title: '每周报告', reader: zh });
    expect(chat.text).toBe('每周报告：10 个事件，未解决 3 个；MTTA 10分00秒，MTTR 30分00秒；响应 SLA 71.4%，解决 SLA 66.6%');
    const fields = (chat.blocks[2] as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(fields[0]).toBe('*事件*\n10 个（严重 5，警告 3），未解决 3 个');
    expect(fields[4]).toBe('*响应 SLA*\n71.4% ❌（目标 95%，未达成）');
  });

  it('leaves the English digest as it was', () => {
    expect(renderDigest(summary(), { title: 'Weekly digest' }).subject).toBe(
      '[Vigil] Weekly digest, 9 Mar – 16 Mar 2026: 10 incidents, 3 open, ack SLA 71.4% (missed), resolve SLA 66.6% (missed)',
    );
  });
});

describe('the review draft in Chinese', () => {
  const week = seededWeek();
  const input = { incident: week.incidents.find((i) => i.id === 2)!, alerts: [], events: week.events, notifications: week.notifications };
  const md = renderReview({ ...input, reader: zh });

  it('has the same sections, in Chinese, with times kept in UTC', () => {
    expect(md.split('\n')[0]).toBe('# 问题复盘报告：#2 API error rate above 5%');
    expect(md.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3))).toEqual([
      '概要',
      '影响时段',
      '响应情况',
      '时间线',
      '通知与升级',
      '运行手册操作',
      '备注',
      '根本原因',
      '后续改进措施',
    ]);
    expect(md).toContain('| 级别 | 严重 (P1) |');
    expect(md).toMatch(/- 响应时间：\S+（SLA 15分00秒：超时）/);
    expect(md).toContain('| 时间 (UTC) |');
  });

  it('goes out with a Chinese subject and intro', () => {
    const email = renderReviewEmail(input.incident, md, 'https://vigil.example.com', zh);
    expect(email.subject).toBe('[P1 问题复盘报告] #2 API error rate above 5%：问题复盘报告草稿');
    expect(email.html).toContain('事件 #2 的问题复盘报告草稿（Markdown 格式）');
    expect(email.text).toContain('最新草稿：https://vigil.example.com/incidents/2');
  });
});

describe('durations and text tables for every language', () => {
  it('writes durations with each language’s units', () => {
    expect([45_000, 750_000, 3_900_000, 273_600_000].map((ms) => humanDuration(ms, 'zh-CN'))).toEqual(['45秒', '12分30秒', '1小时05分', '3天04小时']);
    expect(humanDuration(750_000)).toBe('12m 30s');
  });

  it('counts a Chinese character as two columns when padding and clipping', () => {
    expect(textTable(['名称', 'n'], [['ab', '1'], ['支付', '22']], ['left', 'right'])).toBe(['名称   n', '----  --', 'ab     1', '支付  22'].join('\n'));
    expect(clip('支付服务不可用', 7)).toBe('支付服…');
  });
});
