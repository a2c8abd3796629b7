// The outline: top-level sections with their fields, each validation by type and target, and
// the planned sheets under `sheet` — as a tree, or flat for a client without hierarchical symbols,
// with kinds the client declared.
import type { DocumentSymbol, SymbolInformation } from 'vscode-languageserver';
import { SymbolKind } from 'vscode-languageserver';
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, Pair } from 'yaml';
import type { SheetPlan } from '../../score/src/plan.js';
import type { ScoreSource } from '../../score/src/source.js';
import { keyString } from '../../score/src/source.js';
import { knownKind } from './client-features.js';

const MAX_SHEETS_LISTED = 200;

/** Document symbols for a score. Works on documents with YAML errors (whatever parsed). */
export function scoreSymbols(source: ScoreSource, plan: SheetPlan | undefined, kinds: ReadonlySet<number>): DocumentSymbol[] {
  const contents = source.doc.contents;
  if (!isMap(contents)) return [];
  const symbols = (contents.items as Pair<Node, Node | null>[]).flatMap((pair) => {
    const symbol = pairSymbol(source, pair, 0);
    if (symbol && symbol.name === 'sheet' && plan) symbol.children = [...(symbol.children ?? []), ...sheetSymbols(plan, symbol)];
    return symbol ? [symbol] : [];
  });
  return symbols.map((s) => withKnownKinds(s, kinds));
}

/** Kinds past the protocol's first set (Object, Event) fall back to ones the client knows. */
function withKnownKinds(symbol: DocumentSymbol, kinds: ReadonlySet<number>): DocumentSymbol {
  const kind =
    symbol.kind === SymbolKind.Event
      ? knownKind(kinds, SymbolKind.Event, SymbolKind.Object, SymbolKind.Module)
      : symbol.kind === SymbolKind.Object
        ? knownKind(kinds, SymbolKind.Object, SymbolKind.Module)
        : knownKind(kinds, symbol.kind, SymbolKind.Module);
  return { ...symbol, kind, ...(symbol.children ? { children: symbol.children.map((c) => withKnownKinds(c, kinds)) } : {}) };
}

/** The tree as a flat list, each symbol naming its container (for clients without hierarchical symbols). */
export function flatSymbols(symbols: readonly DocumentSymbol[], uri: string, container?: string): SymbolInformation[] {
  return symbols.flatMap((s) => [
    { name: s.name, kind: s.kind, location: { uri, range: s.range }, ...(container ? { containerName: container } : {}) },
    ...flatSymbols(s.children ?? [], uri, container ? `${container}.${s.name}` : s.name),
  ]);
}

function pairSymbol(source: ScoreSource, pair: Pair<Node, Node | null>, depth: number): DocumentSymbol | undefined {
  const name = keyString(pair.key);
  const key = pair.key as Node | null;
  if (!name || !key?.range) return undefined;
  const value = pair.value;
  const end = value?.range ? value.range[1] : key.range[1];
  const range = source.rangeOf(key.range[0], Math.max(end, key.range[1]));
  const selectionRange = source.rangeOf(key.range[0], key.range[1]);
  const symbol: DocumentSymbol = { name, kind: kindOf(value), range, selectionRange };
  if (isScalar(value)) symbol.detail = short(String(value.value ?? ''));
  if (depth < 2 && isMap(value)) {
    symbol.children = (value.items as Pair<Node, Node | null>[]).flatMap((child) => {
      const s = pairSymbol(source, child, depth + 1);
      return s ? [s] : [];
    });
  }
  if (depth < 2 && isSeq(value)) {
    symbol.children = value.items.flatMap((item, index) => {
      const node = item as Node | null;
      if (!node?.range) return [];
      const itemRange = source.rangeOf(node.range[0], node.range[1]);
      return [{ name: itemName(node, index), kind: isMap(node) ? SymbolKind.Object : SymbolKind.String, range: itemRange, selectionRange: itemRange }];
    });
  }
  return symbol;
}

/** "2. file_exists {workspace}/out.md" for a validation; the scalar itself for a list of strings. */
function itemName(node: Node, index: number): string {
  if (isScalar(node)) return `${index + 1}. ${short(String(node.value ?? ''))}`;
  if (isMap(node)) {
    const fields = new Map((node.items as Pair<Node, Node | null>[]).map((p) => [keyString(p.key) ?? '', isScalar(p.value) ? String(p.value.value ?? '') : '']));
    const type = fields.get('type') ?? fields.get('name') ?? '';
    const target = fields.get('path') ?? fields.get('command') ?? fields.get('pattern') ?? fields.get('job_path') ?? '';
    return short(`${index + 1}. ${type} ${target}`.trim());
  }
  return `${index + 1}.`;
}

function sheetSymbols(plan: SheetPlan, parent: DocumentSymbol): DocumentSymbol[] {
  return plan.sheets.slice(0, MAX_SHEETS_LISTED).map((sheet) => ({
    name: `Sheet ${sheet.num}`,
    detail: `items ${sheet.startItem}–${sheet.endItem}${sheet.fanCount > 1 ? `, stage ${sheet.stage} instance ${sheet.instance}/${sheet.fanCount}` : ''}`,
    kind: SymbolKind.Event,
    range: parent.range,
    selectionRange: parent.selectionRange,
  }));
}

function kindOf(value: Node | null): SymbolKind {
  if (isMap(value)) return SymbolKind.Module;
  if (isSeq(value)) return SymbolKind.Array;
  if (isScalar(value)) {
    if (typeof value.value === 'number') return SymbolKind.Number;
    if (typeof value.value === 'boolean') return SymbolKind.Boolean;
    return SymbolKind.String;
  }
  return SymbolKind.Property;
}

function short(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}
