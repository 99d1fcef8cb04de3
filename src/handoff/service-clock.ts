import {
  addWorkingMinutes,
  isWorkingTime,
  nextWorkingStart,
  type WorkingHours,
} from '../lib/working-time.js';
import type { CalendarSource } from '../lib/holiday-calendar.js';

/** The office's clock: working hours, the holiday calendar, the first-response target. */
export interface ServiceClock {
  /**
   * When a case opened at `now` must have its first response (that many working minutes later),
   * and, out of hours, when the office starts again (the person is told).
   */
  firstResponse(now: Date): { dueAt: Date; answerFrom: Date | null };
}

export function createServiceClock(
  hours: WorkingHours,
  calendar: CalendarSource,
  firstResponseMinutes: number,
): ServiceClock {
  return {
    firstResponse(now) {
      const cal = calendar.current();
      const working = isWorkingTime(now, hours, cal);
      return {
        dueAt: addWorkingMinutes(now, firstResponseMinutes, hours, cal),
        answerFrom: working ? null : nextWorkingStart(now, hours, cal),
      };
    },
  };
}
