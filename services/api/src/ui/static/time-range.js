// The time range of a search, a trail or an export: a preset ("last 24 hours") or a custom range.
// Times are UTC, as everywhere in Sentrail.
import { el } from './dom.js';

const PRESETS = [
  ['15m', 'Last 15 minutes', 15 * 60_000],
  ['1h', 'Last hour', 3_600_000],
  ['24h', 'Last 24 hours', 86_400_000],
  ['7d', 'Last 7 days', 7 * 86_400_000],
  ['30d', 'Last 30 days', 30 * 86_400_000],
  ['90d', 'Last 90 days', 90 * 86_400_000],
  ['365d', 'Last 12 months', 365 * 86_400_000],
];
const DEFAULT_PRESET = '24h';

/** `2026-11-28T10:00:00.000Z` → `2026-11-28T10:00:00`, the value of a datetime-local input. */
const toInput = (iso) => (iso ? new Date(iso).toISOString().slice(0, 19) : '');
/** A datetime-local value read as UTC; undefined when empty or not a time. */
function fromInput(value) {
  if (!value) return undefined;
  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** The fields of a time range whose ids start with `id` (one per form). */
export function timeRange(id) {
  const select = el(
    'select',
    { id: `${id}-range`, name: 'range' },
    PRESETS.map(([value, label]) => el('option', { value }, label)),
    el('option', { value: 'custom' }, 'Custom range…'),
  );
  const input = (name) => el('input', { id: `${id}-${name}`, name, type: 'datetime-local', step: 1 });
  const from = input('from');
  const to = input('to');
  const custom = el(
    'div',
    { class: 'custom-range', hidden: true },
    el('div', { class: 'field' }, el('label', { for: from.id }, 'From (UTC)'), from),
    el('div', { class: 'field' }, el('label', { for: to.id }, 'To (UTC)'), to),
  );
  const showCustom = () => {
    const isCustom = select.value === 'custom';
    custom.hidden = !isCustom;
    from.required = to.required = isCustom;
  };
  select.addEventListener('change', showCustom);
  select.value = DEFAULT_PRESET;

  return {
    element: el(
      'fieldset',
      { class: 'time-range' },
      el('legend', {}, 'Time range'),
      el('div', { class: 'field' }, el('label', { for: select.id }, 'Period'), select),
      custom,
    ),
    /** The range as the address keeps it: a preset's name, or the custom bounds. */
    params() {
      if (select.value !== 'custom') return { range: select.value };
      return { range: 'custom', from: fromInput(from.value), to: fromInput(to.value) };
    },
    /** Shows the range of an address's params (the default preset when it names none). */
    set(params) {
      const known = params.range === 'custom' || PRESETS.some(([value]) => value === params.range);
      select.value = known ? params.range : DEFAULT_PRESET;
      from.value = toInput(params.from);
      to.value = toInput(params.to);
      showCustom();
    },
  };
}

/** The ISO bounds of an address's range at this moment; throws RangeError on a custom range that is not one. */
export function resolveRange(params) {
  if (params.range === 'custom') {
    if (!params.from || !params.to) throw new RangeError('a custom range needs both a start and an end');
    if (Date.parse(params.from) >= Date.parse(params.to)) throw new RangeError('the range must start before it ends');
    return { from: params.from, to: params.to };
  }
  const [, , span] = PRESETS.find(([value]) => value === params.range) ?? PRESETS.find(([v]) => v === DEFAULT_PRESET);
  const now = Date.now();
  return { from: new Date(now - span).toISOString(), to: new Date(now).toISOString() };
}
