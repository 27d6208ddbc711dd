// The columns of a list of events (search results, an alert's evidence): each row is { id, document }.
// An event opens by its event.id, which /v1/events/:id looks up.
import { el, field, text, time } from './dom.js';
import { href } from './router.js';

/** `rangeParams`: the time range a user's trail opens with, that of the list it is opened from. */
export function eventColumns(rangeParams = {}) {
  const value = (path) => (row) => text(field(row.document, path));
  return [
    {
      label: 'Time',
      cell: (row) =>
        row.document
          ? el(
              'a',
              { href: href(['event', field(row.document, 'event.id') ?? row.id]) },
              time(row.document['@timestamp']),
            )
          : el('span', {}, `${row.id} (no longer stored)`),
    },
    { label: 'Dataset', cell: value('event.dataset') },
    { label: 'Action', cell: value('event.action') },
    {
      label: 'User',
      cell: (row) => {
        const name = field(row.document, 'user.name');
        return name ? el('a', { href: href(['trail', 'user', name], rangeParams) }, name) : '';
      },
    },
    { label: 'Outcome', cell: value('event.outcome') },
    { label: 'Source', cell: (row) => text(field(row.document, 'source.ip') ?? field(row.document, 'source.address')) },
    {
      label: 'Resource',
      cell: (row) => text(field(row.document, 'resource.name') ?? field(row.document, 'resource.id')),
    },
  ];
}
