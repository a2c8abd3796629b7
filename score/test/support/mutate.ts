// Seeded random mutations of score text (cut, duplicate, re-indent and retype lines; random
// bytes), shared by the engine's fuzz test and the language server's crash test.

/** Small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = ['{{', '}}', '{%', '%}', '{% if x %}', '{% endfor %}', ': ', '- ', '&a', '*a', '<<: *a', '!!binary', '"', "'", '|', '>-', '\t', '[', ']', '{', '}', '#', '999999999999999999999', '-1', '0', 'null', 'true', '~', '\\', '\u0000', '\uFFFF', '🎵', 'sheet_num', '{sheet_num}', '(?P<x>', '['];

export function mutate(text: string, random: () => number): string {
  const lines = text.split('\n');
  const pick = () => Math.floor(random() * lines.length);
  const steps = 1 + Math.floor(random() * 4);
  for (let s = 0; s < steps; s++) {
    const i = pick();
    const line = lines[i] ?? '';
    switch (Math.floor(random() * 8)) {
      case 0: // cut a line
        lines.splice(i, 1);
        break;
      case 1: // duplicate a line
        lines.splice(i, 0, line);
        break;
      case 2: // re-indent
        lines[i] = ' '.repeat(Math.floor(random() * 9)) + line.trimStart();
        break;
      case 3: { // retype a value
        const colon = line.indexOf(': ');
        const token = TOKENS[Math.floor(random() * TOKENS.length)] ?? '';
        lines[i] = colon >= 0 ? line.slice(0, colon + 2) + token : line + token;
        break;
      }
      case 4: { // random bytes
        const at = Math.floor(random() * (line.length + 1));
        const bytes = Array.from({ length: 1 + Math.floor(random() * 6) }, () => String.fromCharCode(Math.floor(random() * 256))).join('');
        lines[i] = line.slice(0, at) + bytes + line.slice(at);
        break;
      }
      case 5: // cut the file short
        lines.length = Math.max(0, i);
        break;
      case 6: { // insert a syntax-heavy token mid-line
        const at = Math.floor(random() * (line.length + 1));
        lines[i] = line.slice(0, at) + (TOKENS[Math.floor(random() * TOKENS.length)] ?? '') + line.slice(at);
        break;
      }
      default: // swap two lines
        {
          const j = pick();
          lines[i] = lines[j] ?? '';
          lines[j] = line;
        }
    }
  }
  return lines.join('\n');
}
