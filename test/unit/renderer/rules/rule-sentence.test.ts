// The sentence a linkage rule reads like, in English and Chinese: each condition kind, operator, all/any, the time
// window and every action.
import type { TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LinkageRuleBody, RuleCondition, RuleReason } from '../../../../core/contract/index.js';
import i18n from '../../../../renderer/app/i18n.js';
import {
  reasonSentence,
  ruleSentence,
  startText,
  type NameOf,
} from '../../../../renderer/features/rules/ruleSentence.js';

let en: TFunction;
let zh: TFunction;

beforeAll(async () => {
  await i18n.changeLanguage('en');
  en = i18n.getFixedT('en');
  zh = i18n.getFixedT('zh-CN');
});

const names: Record<string, string> = { 'device:d7': 'Meter 7', 'product:p1': 'SmokeDetector', 'group:g1': 'Floor 2' };
const nameOf: NameOf = (kind, id) => names[`${kind}:${id}`] ?? id;
const utc = { timeZone: 'UTC' };

const temperature = (patch: Partial<Extract<RuleCondition, { kind: 'property' }>> = {}): RuleCondition => ({
  kind: 'property',
  scope: { kind: 'device', deviceId: 'd7' },
  serviceId: 'WaterMeterBasic',
  property: 'temperature',
  operator: '>',
  value: 30,
  ...patch,
});
const timer: RuleCondition = { kind: 'timer', startTime: '2026-12-08T08:00:00Z', repeat: 6, everyMinutes: 10 };
const notify = { kind: 'notify' as const, content: '' };

const body = (patch: Partial<LinkageRuleBody>): LinkageRuleBody => ({
  name: 'r',
  conditions: [temperature()],
  actions: [notify],
  ...patch,
});

describe('the sentence of a rule', () => {
  it('reads a device condition and an alarm', () => {
    const rule = body({ actions: [{ kind: 'alarm', level: 'major', name: 'Too hot', content: '' }] });
    expect(ruleSentence(en, rule, nameOf)).toBe(
      'When temperature of device Meter 7 > 30, raise a major alarm "Too hot".',
    );
    expect(ruleSentence(zh, rule, nameOf)).toBe('当设备 Meter 7 的 temperature > 30时，产生重要告警“Too hot”。');
  });

  it.each([
    ['>=', '≥ 30'],
    ['<', '< 30'],
    ['<=', '≤ 30'],
    ['==', '= 30'],
    ['!=', '≠ 30'],
  ] as const)('writes the %s operator as a sign', (operator, text) => {
    expect(ruleSentence(en, body({ conditions: [temperature({ operator })] }), nameOf)).toContain(
      `temperature of device Meter 7 ${text},`,
    );
  });

  it('reads between, contains and changes in both languages', () => {
    const rule = body({
      conditions: [
        temperature({ operator: 'between', value: 10, value2: 20 }),
        temperature({ property: 'state', operator: 'contains', value: 'err' }),
        temperature({ property: 'valve', operator: 'changed', value: undefined }),
      ],
    });
    expect(ruleSentence(en, rule, nameOf)).toBe(
      'When temperature of device Meter 7 is between 10 and 20 and state of device Meter 7 contains "err" and ' +
        'valve of device Meter 7 changes, notify.',
    );
    expect(ruleSentence(zh, rule, nameOf)).toBe(
      '当设备 Meter 7 的 temperature 介于 10 和 20 之间并且设备 Meter 7 的 state 包含“err”并且设备 Meter 7 的 valve 发生变化时，发送通知。',
    );
  });

  it('names a product or a group scope and joins "any" conditions with or', () => {
    const rule = body({
      logic: 'or',
      conditions: [
        temperature({ scope: { kind: 'product', productId: 'p1' }, operator: '>', value: 60, holdMinutes: 2 }),
        temperature({ scope: { kind: 'group', groupId: 'g1' }, property: 'smoke', operator: '==', value: 'yes' }),
      ],
      actions: [{ kind: 'alarm', level: 'critical', name: 'Fire', content: '' }],
    });
    expect(ruleSentence(en, rule, nameOf)).toBe(
      'When temperature of any SmokeDetector device > 60 for 2 minutes or smoke of any device in group Floor 2 = yes, ' +
        'raise a critical alarm "Fire".',
    );
    expect(ruleSentence(zh, rule, nameOf)).toBe(
      '当任一 SmokeDetector 设备的 temperature > 60 持续 2 分钟或者群组 Floor 2 中任一设备的 smoke = yes时，产生紧急告警“Fire”。',
    );
  });

  it('says one minute in the singular', () => {
    expect(ruleSentence(en, body({ conditions: [temperature({ holdMinutes: 1 })] }), nameOf)).toContain(
      '> 30 for 1 minute,',
    );
  });

  it('reads the data validity', () => {
    const rule = body({ conditions: [temperature({ validitySeconds: 30 })] });
    expect(ruleSentence(en, rule, nameOf)).toBe(
      'When temperature of device Meter 7 > 30 (ignoring reports older than 30 s), notify.',
    );
    expect(ruleSentence(zh, rule, nameOf)).toBe(
      '当设备 Meter 7 的 temperature > 30（忽略早于 30 秒的上报）时，发送通知。',
    );
  });

  it('reads a time condition alone, its start in the given zone', () => {
    const rule = body({ conditions: [timer], actions: [{ kind: 'notify', content: 'Read the meters' }] });
    expect(ruleSentence(en, rule, nameOf, utc)).toBe(
      'Every 10 minutes from 2026-12-08 08:00, 6 times, notify "Read the meters".',
    );
    expect(ruleSentence(zh, rule, nameOf, utc)).toBe(
      '从 2026-12-08 08:00 起每 10 分钟，共 6 次，发送通知“Read the meters”。',
    );
    expect(ruleSentence(en, rule, nameOf, { timeZone: 'Asia/Shanghai' })).toContain('from 2026-12-08 16:00');
  });

  it('reads a one-off time condition and a one-minute period', () => {
    const once = body({ conditions: [{ ...timer, repeat: 1 }] });
    expect(ruleSentence(en, once, nameOf, utc)).toBe('Once at 2026-12-08 08:00, notify.');
    expect(ruleSentence(zh, once, nameOf, utc)).toBe('在 2026-12-08 08:00，发送通知。');
    const everyMinute = body({ conditions: [{ ...timer, everyMinutes: 1, repeat: 3 }] });
    expect(ruleSentence(en, everyMinute, nameOf, utc)).toBe('Every minute from 2026-12-08 08:00, 3 times, notify.');
  });

  it('reads a time condition with "all" data conditions as a check at those times', () => {
    const rule = body({ conditions: [timer, temperature()] });
    expect(ruleSentence(en, rule, nameOf, utc)).toBe(
      'Every 10 minutes from 2026-12-08 08:00, 6 times, if temperature of device Meter 7 > 30, notify.',
    );
    expect(ruleSentence(zh, rule, nameOf, utc)).toBe(
      '从 2026-12-08 08:00 起每 10 分钟，共 6 次，如果设备 Meter 7 的 temperature > 30，则发送通知。',
    );
  });

  it('reads a time condition among "any" conditions as one of them', () => {
    const rule = body({ logic: 'or', conditions: [temperature(), timer] });
    expect(ruleSentence(en, rule, nameOf, utc)).toBe(
      'When temperature of device Meter 7 > 30 or every 10 minutes from 2026-12-08 08:00, 6 times, notify.',
    );
  });

  it('reads the active window with its days and time zone', () => {
    const rule = body({
      timeRange: { startTime: '08:00', endTime: '18:00', daysOfWeek: [5, 1], timezone: 'Asia/Shanghai' },
    });
    expect(ruleSentence(en, rule, nameOf)).toBe(
      'When temperature of device Meter 7 > 30 (only 08:00–18:00 Asia/Shanghai time, Mon, Fri), notify.',
    );
    expect(ruleSentence(zh, rule, nameOf)).toBe(
      '当设备 Meter 7 的 temperature > 30（仅在 Asia/Shanghai 时间周一、周五 08:00–18:00）时，发送通知。',
    );
    const daily = body({
      timeRange: { startTime: '22:00', endTime: '06:00', daysOfWeek: [1, 2, 3, 4, 5, 6, 7], timezone: 'UTC' },
    });
    expect(ruleSentence(en, daily, nameOf)).toContain('(only 22:00–06:00 UTC time, every day)');
    expect(ruleSentence(zh, daily, nameOf)).toContain('（仅在 UTC 时间每天 22:00–06:00）');
  });

  it('reads several actions: a notification with its text and a command to a device', () => {
    const rule = body({
      actions: [
        { kind: 'notify', content: 'hot' },
        { kind: 'command', deviceId: 'd7', serviceId: 'Valve', method: 'CLOSE', paras: {} },
      ],
    });
    expect(ruleSentence(en, rule, nameOf)).toBe(
      'When temperature of device Meter 7 > 30, notify "hot" and send CLOSE to Meter 7.',
    );
    expect(ruleSentence(zh, rule, nameOf)).toBe(
      '当设备 Meter 7 的 temperature > 30时，发送通知“hot”并且向 Meter 7 下发命令 CLOSE。',
    );
  });
});

describe('the start time of a time condition', () => {
  it('is written with its date in the given zone', () => {
    expect(startText('2026-12-31T23:30:00Z', 'UTC')).toBe('2026-12-31 23:30');
    expect(startText('2026-12-31T23:30:00Z', 'Asia/Shanghai')).toBe('2027-01-01 07:30');
  });
});

describe('the reason of a firing', () => {
  const at = (iso: string) => `<${iso}>`;
  const reason = (info: Record<string, unknown>, type: RuleReason['type'] = 'DEVICE'): RuleReason => ({
    satisfactionTime: '2026-12-08T08:10:00.000Z',
    type,
    id: 'd7',
    info,
    transInfo: null,
  });

  it('says which value crossed which bound, and for how long it held', () => {
    const info = { serviceId: 'S', property: 'temperature', operator: '>=', value: 35, threshold: 30, heldMinutes: 2 };
    expect(reasonSentence(en, reason(info), nameOf, at)).toBe('Meter 7: temperature = 35 (≥ 30) for 2 minutes');
    expect(reasonSentence(zh, reason(info), nameOf, at)).toBe('Meter 7: temperature = 35 (≥ 30) 持续 2 分钟');
    const between = { property: 'level', operator: 'between', value: 5, threshold: 1, threshold2: 9 };
    expect(reasonSentence(en, reason(between), nameOf, at)).toBe('Meter 7: level = 5 (between 1–9)');
  });

  it('says what a changed value was before', () => {
    const info = { property: 'valve', operator: 'changed', value: 'open', previous: 'closed' };
    expect(reasonSentence(en, reason(info), nameOf, at)).toBe('Meter 7: valve changed from closed to open');
    expect(reasonSentence(zh, reason(info), nameOf, at)).toBe('Meter 7：valve 从 closed 变为 open');
  });

  it('names the time condition that was due', () => {
    const due = reason({ timer }, 'TIMER');
    expect(reasonSentence(en, due, nameOf, at, utc)).toBe(
      'Time condition due at <2026-12-08T08:10:00.000Z> (every 10 minutes from 2026-12-08 08:00, 6 times)',
    );
    expect(reasonSentence(zh, due, nameOf, at, utc)).toBe(
      '时间条件于 <2026-12-08T08:10:00.000Z> 到达（从 2026-12-08 08:00 起每 10 分钟，共 6 次）',
    );
    expect(reasonSentence(en, reason({ timer: 'garbage' }, 'TIMER'), nameOf, at)).toBe(
      'Time condition due at <2026-12-08T08:10:00.000Z>',
    );
  });

  it('lists the fields of a reason it does not know', () => {
    expect(reasonSentence(en, reason({ a: 1, b: 'x' }), nameOf, at)).toBe('Meter 7: a=1, b=x');
  });
});
