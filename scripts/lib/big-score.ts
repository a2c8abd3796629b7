// Generates a large but valid score (about `lines` lines) for benchmarks: many validations, a long
// prompt template with loops and conditions, per-sheet maps and declared variables.

/** Returns the text of a valid score of roughly `lines` lines. */
export function generateBigScore(lines = 5000): string {
  const out: string[] = [
    '# Generated benchmark score',
    'name: big-benchmark-score',
    'description: A generated score used to measure how long checking a large file takes.',
    'workspace: ./workspace-big',
    'backend:',
    '  type: command',
    '  command: cat > "$MOZART_WORKSPACE/out-$MOZART_SHEET_NUM.md"',
    '  timeout_seconds: 600',
    'sheet:',
    '  size: 1',
    '  total_items: 200',
    '  dependencies:',
  ];
  for (let s = 2; s <= 200; s++) out.push(`    ${s}: [${s - 1}]`);
  out.push('prompt:', '  variables:');
  for (let v = 0; v < 300; v++) out.push(`    var_${v}: "value ${v}"`);
  out.push('  template: |');
  let v = 0;
  while (out.length < lines * 0.6) {
    out.push(`    ## Section {{ sheet_num }}.${v}`);
    out.push(`    {% if sheet_num > ${v % 50} %}Use {{ var_${v % 300} | upper }} in {{ workspace }}.{% endif %}`);
    out.push(`    {% for i in range(${(v % 5) + 1}) %}- step {{ i }} of {{ total_sheets }}{% endfor %}`);
    v++;
  }
  out.push('validations:');
  let r = 0;
  while (out.length < lines) {
    out.push(`  - type: content_regex`, `    path: "{workspace}/out-{sheet_num}.md"`, `    pattern: "Section \\\\d+\\\\.${r}"`, `    stage: ${(r % 3) + 1}`, `    condition: "sheet_num >= ${(r % 200) + 1}"`);
    r++;
  }
  return out.join('\n') + '\n';
}
