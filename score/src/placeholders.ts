// The `{placeholder}` syntax of validation paths, validation commands and skip-when commands: the
// Python str.format subset scores use. `{{` and `}}` are literal braces.

/** One `{name}` occurrence: its name and where it sits in the string (offsets into the raw text). */
export interface PlaceholderUse {
  name: string;
  start: number;
  end: number;
}

/** Names available to validation paths and commands (see the runtime spec). */
export const FORMAT_PLACEHOLDERS: Readonly<Record<string, string>> = {
  workspace: 'Absolute path of the job workspace.',
  sheet_num: 'Number of the sheet being validated (1-based, after fan-out expansion).',
  total_sheets: 'Total number of sheets in the job.',
  start_item: 'First item number of this sheet.',
  end_item: 'Last item number of this sheet.',
  stage: 'Logical stage of this sheet (equals sheet_num without fan-out).',
  instance: 'Instance of this sheet within its fan-out group (1-based).',
  fan_count: 'Number of instances in this stage\'s fan-out group.',
  total_stages: 'Number of stages before fan-out expansion.',
};

/** Finds every `{name}` in a format string; `{{`/`}}` escapes are skipped. */
export function findPlaceholders(text: string): PlaceholderUse[] {
  const uses: PlaceholderUse[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') {
      if (text[i + 1] === '{') {
        i++;
        continue;
      }
      const close = text.indexOf('}', i + 1);
      if (close < 0) break;
      const inner = text.slice(i + 1, close);
      // `{name}`, `{name:02d}`, `{name!r}` — the field name is what precedes `:` or `!`.
      const name = inner.split(/[:!]/)[0] ?? '';
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) uses.push({ name, start: i, end: close + 1 });
      i = close;
    } else if (ch === '}' && text[i + 1] === '}') {
      i++;
    }
  }
  return uses;
}

/**
 * Substitutes known placeholders; unknown ones stay as written (a shell `${VAR}` or an awk
 * `{print $1}` must survive). Supports the zero-padded integer format `{sheet_num:02d}`.
 */
export function expandPlaceholders(text: string, values: object): string {
  const known = values as Readonly<Record<string, string | number | undefined>>;
  let out = '';
  let last = 0;
  for (const use of findPlaceholders(text)) {
    const value = known[use.name];
    if (value === undefined) continue;
    const spec = text.slice(use.start + 1, use.end - 1).slice(use.name.length);
    out += unescapeBraces(text.slice(last, use.start)) + formatValue(value, spec);
    last = use.end;
  }
  return out + unescapeBraces(text.slice(last));
}

function unescapeBraces(text: string): string {
  return text.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
}

function formatValue(value: string | number, spec: string): string {
  const pad = /^:0?(\d+)d$/.exec(spec);
  if (pad && typeof value === 'number') return String(value).padStart(Number(pad[1]), spec.startsWith(':0') ? '0' : ' ');
  return String(value);
}
