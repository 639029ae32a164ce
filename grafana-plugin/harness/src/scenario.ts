// What the serving process says it set up (/scenario.json, optional): note lines for the page, and
// a compressed day. The demo's emulated WAN runs a busy cycle whose "day" lasts a few minutes;
// read on the wall clock, the time-of-day panel would put all of it into one hour. On the
// emulated clock each point moves to the instant it stands for, so the panel shows the cycle
// within minutes, its hours being emulated hours (UTC). Only the time axis moves; values stay
// as measured.
import { FieldType, type DataFrame } from '@grafana/data';

/** A day compressed into `periodMs`, emulated midnight at `epochMs`; its data starts at `sinceMs`. */
export interface CompressedDay {
  periodMs: number;
  epochMs: number;
  sinceMs?: number;
}

export interface PageScenario {
  note?: string[];
  compressedDay?: CompressedDay;
}

const dayMs = 86_400_000;

/** The scenario, or null when the server has none (a 404) or it cannot be read. */
export async function fetchScenario(): Promise<PageScenario | null> {
  try {
    const response = await fetch(new URL('scenario.json', window.location.href).href);
    return response.ok ? ((await response.json()) as PageScenario) : null;
  } catch {
    return null;
  }
}

/** The time-series query interval that makes one bucket one emulated hour. */
export function emulatedHourInterval(day: CompressedDay): string {
  return `${Math.max(1, Math.round(day.periodMs / 24 / 1000))}s`;
}

/** Moves every time field onto the emulated clock: its epoch is midnight UTC of the epoch's date. */
export function onEmulatedClock(frames: DataFrame[], day: CompressedDay): DataFrame[] {
  const scale = dayMs / day.periodMs;
  const midnight = Math.floor(day.epochMs / dayMs) * dayMs;
  return frames.map((frame) => ({
    ...frame,
    fields: frame.fields.map((field) =>
      field.type === FieldType.time
        ? { ...field, values: (field.values as number[]).map((t) => midnight + (t - day.epochMs) * scale) }
        : field,
    ),
  }));
}
