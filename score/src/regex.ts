// Scores were first written for a Python tool, so their regexes use Python syntax. This translates
// the parts JavaScript spells differently, so a pattern means the same thing here.

/** A compiled pattern, or the reason it does not compile. */
export type RegexResult = { ok: true; regex: RegExp } | { ok: false; error: string };

/** Compiles a Python-flavoured regex: leading inline flags `(?ims)`, `(?P<name>…)`, `(?P=name)`, `\A`, `\Z`. */
export function compilePattern(pattern: string, extraFlags = ''): RegexResult {
  let source = pattern;
  const flags = new Set(extraFlags.split('').filter(Boolean));
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    for (const flag of inline[1] ?? '') {
      if (flag === 'i' || flag === 'm' || flag === 's') flags.add(flag);
      else if (flag === 'x') return { ok: false, error: 'verbose mode (?x) is not supported; write the pattern on one line' };
    }
    source = source.slice(inline[0].length);
  }
  source = source
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>')
    .replace(/(^|[^\\])\\A/g, '$1^')
    .replace(/(^|[^\\])\\Z/g, '$1$');
  try {
    return { ok: true, regex: new RegExp(source, [...flags].join('')) };
  } catch (error) {
    return { ok: false, error: (error as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, '') };
  }
}
