// Scripts the UI tests evaluate in the workbench page, as strings: the test's TypeScript has no DOM
// types, and functions would carry esbuild's name helpers, which the page does not have.
/** True once the command palette is hidden or holds another input box than the palette's ">" one. */
export const PALETTE_LEFT = `(() => {
  const widget = document.querySelector('.quick-input-widget');
  if (!widget || widget.offsetParent === null || getComputedStyle(widget).display === 'none') return true;
  const box = widget.querySelector('.quick-input-box input');
  return box !== null && !box.value.startsWith('>');
})()`;

/** The Problems panel's marker rows, as Problem objects. */
export const READ_PROBLEMS = `[...document.querySelectorAll('.markers-panel .monaco-list-row')].flatMap((row) => {
  const details = row.querySelector('.marker-message-details-container');
  if (!details) return [];
  const icon = row.querySelector('.marker-icon')?.className ?? '';
  const pick = (selector) => details.querySelector(selector)?.textContent?.trim() ?? '';
  const at = /(\\d+)\\D+(\\d+)/.exec(pick('.marker-line'));
  return [{
    severity: /\\berror\\b/.test(icon) ? 'error' : /\\bwarning\\b/.test(icon) ? 'warning' : /\\binfo\\b/.test(icon) ? 'info' : 'unknown',
    message: pick('.marker-message'),
    source: pick('.marker-source'),
    code: pick('.marker-code'),
    line: at ? Number(at[1]) : 0,
    column: at ? Number(at[2]) : 0,
  }];
})`;
