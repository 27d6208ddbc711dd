import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { BadRequestError } from './bad-request.js';
import { checkPaging, isSortable, resumeCursor } from './pages.js';

const encode = (content: unknown) => deflateRawSync(JSON.stringify(content)).toString('base64url');
const search = {
  scope: 'search',
  params: { query: 'user.name:alice' },
  from: '2026-11-28T00:00:00.000Z',
  to: '2026-11-29T00:00:00.000Z',
  size: 7,
  sort: [{ field: '@timestamp', order: 'desc' }],
};
const position = { pit: 'pit-id', after: [1764324000000, 3], seen: 7 };
const valid = { v: 1, ...search, ...position };
const checkParams = (params: unknown) => {
  if (typeof (params as { query?: unknown }).query !== 'string') throw new BadRequestError('it has no query');
  return params as { query: string };
};

function garbled(cursor: string, reason: string): void {
  assert.throws(
    () => resumeCursor(cursor, 'search', 100, checkParams),
    (error) => {
      assert.ok(error instanceof BadRequestError);
      assert.equal(error.message, `the cursor is garbled${reason}; run the search again without it`);
      return true;
    },
  );
}

describe('resumeCursor', () => {
  it('gives back the search and the position a cursor holds', () => {
    assert.deepEqual(resumeCursor(encode(valid), 'search', 100, checkParams), { search, position });
  });

  it('refuses anything it did not hand out, or that no longer passes the checks a request passes', () => {
    garbled('not a cursor!', '');
    garbled(Buffer.from('{"v":1}').toString('base64url'), '');
    garbled(deflateRawSync('not json').toString('base64url'), '');
    garbled(encode(null), '');
    garbled(encode({ ...valid, v: 2 }), ': it is not a cursor of this API');
    garbled(encode({ ...valid, scope: 'trail' }), ': it continues a trail, not a search');
    garbled(encode({ ...valid, params: {} }), ': it has no query');
    garbled(encode({ ...valid, size: 101 }), ': cursor/size must be a whole number from 1 to 100');
    garbled(encode({ ...valid, to: valid.from }), ': cursor/to must be later than cursor/from');
    garbled(
      encode({ ...valid, sort: [{ field: 'message', order: 'asc' }] }),
      ": cursor/sort/0/field: 'message' is not a keyword, ip, date or number field of the events",
    );
    garbled(encode({ ...valid, pit: '' }), ': it has no point in time');
    garbled(encode({ ...valid, after: [1] }), ': its search_after does not fit its sort');
    garbled(encode({ ...valid, after: [{ script: 1 }, 2] }), ': its search_after does not fit its sort');
    garbled(encode({ ...valid, seen: -1 }), ': its count is wrong');
  });

  it('does not inflate a small cursor into a huge one', () => {
    garbled(deflateRawSync(Buffer.alloc(64 * 1024 * 1024, 32)).toString('base64url'), '');
  });
});

describe('checkPaging', () => {
  it('sorts on keyword, ip, date and number fields only', () => {
    for (const name of ['@timestamp', 'user.name', 'source.ip', 'event.severity']) assert.ok(isSortable(name), name);
    for (const name of ['message', 'labels.cde', 'event.original', 'nope', 'user']) assert.ok(!isSortable(name), name);
  });

  it('names the request field at fault', () => {
    const paging = {
      from: '2026-11-28T00:00:00Z',
      to: '2026-11-29T00:00:00Z',
      size: 10,
      sort: [{ field: 'x', order: 'asc' }],
    };
    assert.throws(() => checkPaging(paging, 'body', 100), /^BadRequestError: body\/sort\/0\/field: 'x' is not/);
    assert.throws(
      () => checkPaging({ ...paging, sort: [{ field: 'user.name', order: 'up' }] }, 'body', 100),
      /body\/sort\/0\/order must be asc or desc/,
    );
    assert.throws(
      () => checkPaging({ ...paging, size: 0 }, 'body', 100),
      /body\/size must be a whole number from 1 to 100/,
    );
    assert.deepEqual(checkPaging({ ...paging, sort: [{ field: 'user.name', order: 'asc', extra: 1 }] }, 'body', 100), {
      from: '2026-11-28T00:00:00.000Z',
      to: '2026-11-29T00:00:00.000Z',
      size: 10,
      sort: [{ field: 'user.name', order: 'asc' }],
    });
  });
});
