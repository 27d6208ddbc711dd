// A query the API refused: its message (which says where, for a syntax error), and for a syntax
// error the query with a caret under the character where it went wrong, the cursor put there.
import { el, showError } from './dom.js';

export function showQueryError(box, input, error) {
  input.removeAttribute('aria-invalid');
  if (typeof error.position !== 'number') {
    showError(box, error.message);
    return;
  }
  const position = Math.max(0, Math.min(error.position, input.value.length));
  box.replaceChildren(
    el('p', {}, error.message),
    el('pre', { class: 'caret', 'aria-hidden': 'true' }, `${input.value}\n${' '.repeat(position)}^`),
  );
  box.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
  input.setSelectionRange(position, position + 1);
}

/** Clears what showQueryError showed. */
export function clearQueryError(box, input) {
  input.removeAttribute('aria-invalid');
  showError(box, '');
}
