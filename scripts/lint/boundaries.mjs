// The project's module boundaries as a lint rule. Each top-level folder lists the top-level folders
// its source may import from (relative imports are resolved against the file, so a subfolder that
// happens to share a name, such as extension/src/conductor/, is never confused with conductor/), and
// the npm packages it must not import. eslint.config.mjs applies the rule once per folder.
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The top-level folder a repository path lies in ('' for a file at the root or outside it). */
function topFolder(path) {
  const rel = relative(ROOT, path);
  if (rel.startsWith('..') || rel === '') return '';
  return rel.split(sep)[0] ?? '';
}

/** The package name of a bare specifier ('@scope/name/x' → '@scope/name'). */
function packageOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? spec);
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Allow imports only along the architecture edges written in the README.' },
    schema: [
      {
        type: 'object',
        properties: {
          allow: { type: 'array', items: { type: 'string' } },
          denyPackages: { type: 'array', items: { type: 'string' } },
        },
        required: ['allow'],
        additionalProperties: false,
      },
    ],
    messages: {
      folder: "{{from}}/ may not import from {{to}}/ ('{{spec}}'); it may import from: {{allowed}}. See the README's architecture section.",
      package: "{{from}}/ may not import the package '{{pkg}}'. See the README's architecture section.",
    },
  },
  create(context) {
    const { allow, denyPackages = [] } = context.options[0];
    const file = context.filename;
    const from = topFolder(file);
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.')) {
        const to = topFolder(resolve(dirname(file), spec));
        if (to !== '' && !allow.includes(to)) context.report({ node, messageId: 'folder', data: { from, to, spec, allowed: allow.join(', ') } });
        return;
      }
      if (spec.startsWith('node:')) return;
      const pkg = packageOf(spec);
      if (denyPackages.some((d) => pkg === d || (d.endsWith('*') && pkg.startsWith(d.slice(0, -1))))) context.report({ node, messageId: 'package', data: { from, pkg } });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') check(node.arguments[0], node.arguments[0].value);
      },
    };
  },
};

/** Which top-level folders each folder's source may import (besides npm packages). */
export const EDGES = {
  score: { allow: ['score', 'schemas'], denyPackages: ['vscode', 'vscode-languageserver*', 'vscode-languageclient', 'vscode-jsonrpc'] },
  protocol: { allow: ['protocol'], denyPackages: ['vscode', 'vscode-languageserver*', 'vscode-languageclient', 'yaml', 'nunjucks'] },
  conductor: { allow: ['conductor', 'protocol', 'score', 'schemas'], denyPackages: ['vscode', 'vscode-languageserver*', 'vscode-languageclient'] },
  'language-server': { allow: ['language-server', 'score', 'protocol', 'schemas'], denyPackages: ['vscode', 'vscode-languageclient'] },
  extension: { allow: ['extension', 'protocol', 'schemas'], denyPackages: ['vscode-languageserver*', 'yaml', 'nunjucks', 'ajv'] },
  cli: { allow: ['cli', 'protocol', 'score', 'schemas'], denyPackages: ['vscode', 'vscode-languageserver*', 'vscode-languageclient'] },
};

export const plugin = { rules: { boundaries: rule } };

/** One config block per folder: the rule applies to its source (tests may reach further). */
export const boundaryConfigs = Object.entries(EDGES).map(([folder, options]) => ({
  files: [`${folder}/src/**/*.ts`],
  plugins: { mozart: plugin },
  rules: { 'mozart/boundaries': ['error', options] },
}));
