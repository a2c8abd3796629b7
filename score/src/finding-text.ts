// Findings printed within bounds: a message can quote a 1 MB key and a source line can be a
// megabyte long, so what `mozart validate` prints and what the conductor answers when it refuses a
// score are cut here, the same way in both places.

/** Characters of a message or fix title printed. */
export const MAX_MESSAGE = 300;
/** Characters of a source line printed around the finding's column. */
export const MAX_EXCERPT = 120;

/** `text` cut to `max` characters, saying how much was left out. */
export function clip(text: string, max = MAX_MESSAGE): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** At most MAX_EXCERPT characters of `line` around `column`, and where the column sits in them. */
export function excerptOf(line: string, column: number): { text: string; caret: number } {
  const at = Math.min(Math.max(0, column), line.length);
  if (line.length <= MAX_EXCERPT) return { text: line, caret: at };
  const start = Math.max(0, Math.min(at - 40, line.length - MAX_EXCERPT));
  const end = start + MAX_EXCERPT;
  const head = start > 0 ? '…' : '';
  return { text: head + line.slice(start, end) + (end < line.length ? '…' : ''), caret: head.length + at - start };
}
