// "Mozart: New Score from Example": pick one of the bundled examples, name the new file, and get
// a real score in the workspace with a job name of its own, open with its CodeLens (so Run submits
// it directly). Never overwrites a file. Names and texts come from the pure new-score-model.ts.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { exampleCopy, exampleSummary, fileNameProblem, jobNameFromFile, templateFileOf, topLevelName, uniqueFileName, uniqueName, withTemplateFile } from './new-score-model.js';
import type { MozartServices } from './services.js';

interface Example {
  file: string;
  text: string;
}

/** The bundled examples (examples/*.yaml in the extension), by file name. */
function bundledExamples(services: MozartServices): Example[] {
  const dir = join(services.extension.extensionUri.fsPath, 'examples');
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f));
  } catch {
    return [];
  }
  return names.sort().map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}

export async function newScoreFromExample(services: MozartServices): Promise<void> {
  const { t } = services;
  const examples = bundledExamples(services);
  if (examples.length === 0) throw new Error(t('the extension has no examples folder ({0}); reinstall it.', join(services.extension.extensionUri.fsPath, 'examples')));
  const picked = await vscode.window.showQuickPick(
    examples.map((e) => ({ label: basename(e.file), detail: exampleSummary(basename(e.file), e.text), example: e })),
    { title: t('New Score from Example'), placeHolder: t('Start from which example?'), matchOnDetail: true },
  );
  if (!picked) return;
  const example = picked.example;

  const target = await targetFile(services, basename(example.file));
  if (!target) return;

  const name = uniqueName(jobNameFromFile(basename(target)), await takenJobNames(services, target));
  let text = exampleCopy(example.text, name);
  const written: string[] = [];
  const template = templateFileOf(text);
  if (template) {
    const placed = placeTemplate(dirname(example.file), template, dirname(target));
    if (placed.path !== template) text = withTemplateFile(text, placed.path);
    if (placed.wrote) written.push(placed.wrote);
  }
  try {
    // 'wx': if something appeared there since the name was checked, it is still not overwritten.
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text, { flag: 'wx' });
  } catch (error) {
    throw new Error(t('could not create {0}: {1}', target, (error as Error).message));
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(target));
  await vscode.window.showTextDocument(document);
  const also = written.length ? t(' (and its prompt template {0})', written.map((w) => relative(dirname(target), w)).join(', ')) : '';
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showInformationMessage(t("Created {0}{1} with job name '{2}'. This window is in Restricted Mode: Mozart checks the score but runs nothing until you trust the workspace.", basename(target), also, name));
  } else if (also) {
    void vscode.window.showInformationMessage(t("Created {0}{1} with job name '{2}'.", basename(target), also, name));
  }
}

/**
 * Where the new score goes: a name typed into an input box, relative to the workspace folder
 * (proposed `<example>.yaml`, or `-2`, `-3`, … when taken). Without a folder, a save dialog once.
 */
async function targetFile(services: MozartServices, exampleName: string): Promise<string | undefined> {
  const { t } = services;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    const save = t('Choose Where to Save');
    const choice = await vscode.window.showInformationMessage(t('No folder is open in this window, so the new score has no workspace to go to: choose where to save it (Run needs a saved file).'), { modal: true }, save);
    if (choice !== save) return undefined;
    const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(join(homedir(), exampleName)), filters: { [t('Scores')]: ['yaml', 'yml'] }, saveLabel: t('Create Score') });
    if (!uri) return undefined;
    // The dialog may have asked about replacing a file; a new score still never replaces one.
    if (existsSync(uri.fsPath)) throw new Error(t('{0} exists already and is never overwritten; run the command again and choose a new name.', uri.fsPath));
    return uri.fsPath;
  }
  const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: t('Create the score in which folder?') });
  if (!folder) return undefined;
  const root = folder.uri.fsPath;
  const exists = (name: string) => existsSync(join(root, name.trim()));
  const proposed = uniqueFileName(exampleName, exists);
  const answer = await vscode.window.showInputBox({
    title: t('New Score from Example'),
    prompt: t('File name of the new score, relative to {0}. The job is named after it.', folder.name),
    value: proposed,
    valueSelection: [0, proposed.replace(/\.ya?ml$/i, '').length],
    validateInput: (value) => fileNameProblem(value, exists, t),
  });
  if (answer === undefined) return undefined;
  return join(root, answer.trim());
}

/** Job names in use: the jobs the conductor knows (when connected) and the `name:` of YAML files in the workspace. */
async function takenJobNames(services: MozartServices, target: string): Promise<(name: string) => boolean> {
  const taken = new Set<string>();
  const { store, connection } = services;
  if (connection.state.phase === 'running') {
    if (!store.loaded) await store.load();
    for (const job of store.jobs()) {
      taken.add(job.jobId);
      if (job.name) taken.add(job.name);
    }
  }
  const files = await vscode.workspace.findFiles('**/*.{yaml,yml}', '**/node_modules/**', 2000);
  await Promise.all(
    files
      .filter((uri) => uri.fsPath !== target)
      .map(async (uri) => {
        const name = topLevelName(await readFile(uri.fsPath, 'utf8').catch(() => ''));
        if (name) taken.add(name);
      }),
  );
  // Without a workspace folder (a save dialog chose the place), the files beside the new one.
  if (files.length === 0) {
    const dir = dirname(target);
    const siblings = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)) : [];
    for (const f of siblings) {
      const name = topLevelName(await readFile(join(dir, f), 'utf8').catch(() => ''));
      if (name) taken.add(name);
    }
  }
  for (const document of vscode.workspace.textDocuments) {
    const name = document.languageId === 'yaml' ? topLevelName(document.getText()) : undefined;
    if (name) taken.add(name);
  }
  return (name) => taken.has(name);
}

/**
 * Copies an example's prompt template next to the new score, keeping its relative path; an
 * existing different file there is left alone and the copy gets a free name (`report-2.j2`).
 */
function placeTemplate(exampleDir: string, template: string, targetDir: string): { path: string; wrote?: string } {
  const source = join(exampleDir, template);
  if (!existsSync(source)) return { path: template };
  const content = readFileSync(source, 'utf8');
  const ext = extname(template);
  const stem = template.slice(0, template.length - ext.length);
  const same = (candidate: string) => readFileSync(join(targetDir, candidate), 'utf8') === content;
  const free = uniqueName(stem, (s) => existsSync(join(targetDir, `${s}${ext}`)) && !same(`${s}${ext}`));
  const path = `${free}${ext}`;
  const dest = join(targetDir, path);
  if (existsSync(dest)) return { path };
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, content, { flag: 'wx' });
  return { path, wrote: dest };
}
