// One event as a correlation window keeps it: its event time, its place in arrival order, and its
// id (the evidence an alert lists). Events are ordered by time, then by arrival, so two events of
// the same millisecond still have an order, and the same one in a replay.

export interface Occurrence {
  /** The event's @timestamp, in milliseconds. */
  readonly time: number;
  /** Arrival order, to break ties of time. */
  readonly seq: number;
  readonly id: string;
}

export function precedes(a: Occurrence, b: Occurrence): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/** The ids of occurrences in event order, each once (an event matching two rules is one piece of evidence). */
export function evidenceOf(occurrences: Occurrence[], limit: number): { ids: string[]; count: number } {
  const ids = [...new Set(occurrences.sort((a, b) => a.time - b.time || a.seq - b.seq).map(({ id }) => id))];
  return { ids: ids.slice(0, limit), count: ids.length };
}
