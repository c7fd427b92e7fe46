// Alarms: raised by rules (one open alarm per rule, device and name; a repeat counts), cleared when the
// rule's conditions stop holding or by a user, acknowledged by a user. The northbound device view reads alarmInfo.
import { randomUUID } from 'node:crypto';
import type { Alarm, AlarmLevel, AlarmQuery } from '../contract/rules.js';
import { DomainError } from '../domain-error.js';
import type { RulesStore } from './rules-store.js';
import type { Clock } from '../clock.js';
import { formatNorthboundTime } from '../northbound/index.js';

export type RaisedAlarm = Pick<Alarm, 'alarmId' | 'count' | 'state'>;

const severity: Readonly<Record<AlarmLevel, number>> = { critical: 4, major: 3, minor: 2, warning: 1 };

export class AlarmService {
  constructor(
    private readonly store: RulesStore,
    private readonly clock: Clock,
    private readonly changed: (alarm: Pick<Alarm, 'alarmId' | 'state'>) => void,
  ) {}

  /** Raises the rule's alarm on the device, or counts a repeat of the one still open. */
  raise(
    input: { appId: string; deviceId: string | null; ruleId: string; level: AlarmLevel; name: string; content: string },
    at: number,
  ): RaisedAlarm {
    const open = this.store.openAlarmRef(input.ruleId, input.deviceId, input.name);
    let raised: RaisedAlarm;
    if (open) {
      this.store.repeatAlarm(open.alarmId, at, input.level, input.content);
      raised = { alarmId: open.alarmId, count: open.count + 1, state: open.state };
    } else {
      raised = { alarmId: randomUUID(), count: 1, state: 'active' };
      this.store.insertAlarm({ alarmId: raised.alarmId, ...input, at });
    }
    this.changed(raised);
    return raised;
  }

  /** The rule's conditions stopped holding for the device: its open alarms clear. */
  recover(ruleId: string, deviceId: string | null, at: number): void {
    for (const alarmId of this.store.openAlarmsOf(ruleId, deviceId)) {
      this.store.setAlarmState(alarmId, 'cleared', at, 'rule');
      this.changed({ alarmId, state: 'cleared' });
    }
  }

  acknowledge(alarmId: string): Alarm {
    const alarm = this.require(alarmId);
    if (alarm.state === 'cleared')
      throw new DomainError('ALARM_CLEARED', `alarm ${alarmId} is already cleared`, 'params.alarmId');
    this.store.setAlarmState(alarmId, 'acknowledged', this.clock.now());
    return this.announce(alarmId);
  }

  clear(alarmId: string): Alarm {
    const at = this.clock.now();
    const alarm = this.require(alarmId);
    if (alarm.state === 'cleared') return alarm;
    this.store.setAlarmState(alarmId, 'cleared', at, 'user');
    return this.announce(alarmId);
  }

  list(query: AlarmQuery): Alarm[] {
    return this.store.alarms(query);
  }

  /** `alarmInfo` of the northbound device view (§1.5): the most severe open alarm, else null. */
  alarmInfo(deviceId: string): { alarmSeverity: string; alarmStatus: boolean; alarmTime: string } | null {
    const open = this.store
      .alarms({ deviceId, limit: 1000 })
      .filter((a) => a.state !== 'cleared')
      .sort((a, b) => severity[b.level] - severity[a.level] || b.lastAt.localeCompare(a.lastAt));
    const top = open[0];
    return top
      ? {
          alarmSeverity: top.level.toUpperCase(),
          alarmStatus: true,
          alarmTime: formatNorthboundTime(Date.parse(top.lastAt)),
        }
      : null;
  }

  private require(alarmId: string): Alarm {
    const alarm = this.store.alarm(alarmId);
    if (!alarm) throw new DomainError('ALARM_NOT_FOUND', `no alarm ${alarmId}`, 'params.alarmId');
    return alarm;
  }

  private announce(alarmId: string): Alarm {
    const alarm = this.require(alarmId);
    this.changed(alarm);
    return alarm;
  }
}
