/** Dataset panel (webview side): renders the questions grouped by file and passage. */
import type { DatasetCounts, QaEntry } from '../src/extension/logic/workspace-dataset';
import { h, vscode } from './lib/vscode-api';

interface State {
  entries: QaEntry[];
  counts: DatasetCounts;
  file: string;
  problem?: string;
}

let state: State | undefined;
let filterText = '';
let editing: string | undefined;
const app = document.getElementById('app') as HTMLElement;

window.addEventListener('message', (event: MessageEvent) => {
  const message = event.data as { type: string } & Partial<State> & { text?: string };
  if (message.type === 'state') {
    state = message as State;
    render();
  } else if (message.type === 'filter') {
    filterText = message.text ?? '';
    render();
  }
});

function matches(entry: QaEntry, text: string): boolean {
  if (!text) return true;
  const haystack = [entry.question, entry.path, entry.title, ...entry.answers.map((a) => a.text), entry.origin, entry.split, entry.stale ? 'stale' : '']
    .join(' ')
    .toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .every((word) => haystack.includes(word));
}

function countsLine(counts: DatasetCounts): string {
  return [
    `${counts.questions} questions`,
    `${counts.passages} passages`,
    `${counts.files} files`,
    `${counts.unanswerable} unanswerable`,
    `${counts.generated} generated (${counts.unreviewed} unreviewed)`,
    `${counts.train} train / ${counts.validation} validation (others split automatically)`,
    counts.stale ? `${counts.stale} stale` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

function render(): void {
  if (!state) return;
  const focusedId = (document.activeElement as HTMLElement | null)?.id;
  const search = h('vscode-textfield', { id: 'search', placeholder: 'Filter by question, answer, file, origin, split…', value: filterText, 'aria-label': 'Filter questions' });
  search.addEventListener('input', () => {
    filterText = (search as HTMLInputElement).value;
    renderList();
  });
  const list = h('div', { id: 'list' });
  app.replaceChildren(
    ...[h('header', {}, h('h1', {}, 'SpanTune Dataset'), h('p', { class: 'muted', id: 'counts' }, `${state.file} — ${countsLine(state.counts)}`)),
    state.problem ? h('p', { class: 'error', role: 'alert' }, state.problem) : undefined,
    search,
    list].filter((x): x is HTMLElement => x !== undefined),
  );
  renderList();
  if (focusedId) document.getElementById(focusedId)?.focus();
}

function renderList(): void {
  if (!state) return;
  const list = document.getElementById('list') as HTMLElement;
  const visible = state.entries.filter((e) => matches(e, filterText));
  if (visible.length === 0) {
    list.replaceChildren(h('p', { class: 'muted' }, state.entries.length === 0 ? 'No questions yet: select an answer in a document and run “SpanTune: Add Question for Selection”.' : 'No question matches the filter.'));
    return;
  }
  // Bulk review acts on the unreviewed pairs the filter shows, so a person can narrow them down first.
  const unreviewed = visible.filter((e) => !e.reviewed).map((e) => e.id);
  const bulk = unreviewed.length
    ? h(
        'div',
        { class: 'bulk', role: 'toolbar', 'aria-label': 'Review the shown pairs' },
        h('vscode-button', { id: 'accept-shown', onclick: () => vscode.postMessage({ type: 'reviewMany', ids: unreviewed, accept: true }) }, `Accept ${unreviewed.length} shown unreviewed`),
        h('vscode-button', { id: 'reject-shown', secondary: true, onclick: () => vscode.postMessage({ type: 'reviewMany', ids: unreviewed, accept: false }) }, `Reject ${unreviewed.length} shown unreviewed`),
      )
    : undefined;
  const groups = new Map<string, Map<number, QaEntry[]>>();
  for (const entry of visible) {
    const file = entry.path ?? `${entry.title ?? 'untitled'} (imported)`;
    const passages = groups.get(file) ?? new Map<number, QaEntry[]>();
    passages.set(entry.passageIndex, [...(passages.get(entry.passageIndex) ?? []), entry]);
    groups.set(file, passages);
  }
  list.replaceChildren(
    ...(bulk ? [bulk] : []),
    ...[...groups].map(([file, passages]) =>
      h(
        'section',
        { class: 'file' },
        h('h2', {}, file, h('vscode-badge', {}, String([...passages.values()].reduce((n, p) => n + p.length, 0)))),
        ...[...passages.values()].map((entries) =>
          h('div', { class: 'passage' }, h('blockquote', {}, entries[0]?.passagePreview ?? ''), ...entries.map(renderEntry)),
        ),
      ),
    ),
  );
}

function renderEntry(entry: QaEntry): HTMLElement {
  const tags = [
    entry.origin === 'generated' ? h('vscode-badge', { variant: 'counter' }, entry.reviewed ? 'generated' : 'generated · unreviewed') : undefined,
    entry.isImpossible ? h('vscode-badge', {}, 'unanswerable') : undefined,
    entry.stale ? h('vscode-badge', { class: 'stale' }, 'stale') : undefined,
  ];
  const split = h(
    'vscode-single-select',
    { 'aria-label': 'Split', class: 'split', id: `split-${entry.id}` },
    h('vscode-option', { value: '', selected: !entry.split }, 'auto split'),
    h('vscode-option', { value: 'train', selected: entry.split === 'train' }, 'train'),
    h('vscode-option', { value: 'validation', selected: entry.split === 'validation' }, 'validation'),
  );
  split.addEventListener('change', () => vscode.postMessage({ type: 'split', id: entry.id, split: (split as HTMLSelectElement).value }));
  const actions = h(
    'div',
    { class: 'actions' },
    split,
    h('vscode-button', { secondary: true, onclick: () => ((editing = entry.id), renderList()) }, 'Edit'),
    h('vscode-button', { secondary: true, onclick: () => vscode.postMessage({ type: 'delete', id: entry.id }) }, 'Delete'),
    entry.origin === 'generated' && !entry.reviewed ? h('vscode-button', { onclick: () => vscode.postMessage({ type: 'review', id: entry.id, accept: true }) }, 'Accept') : undefined,
    entry.origin === 'generated' && !entry.reviewed ? h('vscode-button', { secondary: true, onclick: () => vscode.postMessage({ type: 'review', id: entry.id, accept: false }) }, 'Reject') : undefined,
  );
  const answers = entry.isImpossible
    ? h('span', { class: 'muted' }, 'no answer in this passage')
    : h(
        'span',
        { class: 'answers' },
        ...entry.answers.map((a, i) =>
          h('a', { href: '#', class: 'answer', title: 'Show in the editor', onclick: (e: Event) => (e.preventDefault(), vscode.postMessage({ type: 'reveal', id: entry.id, answer: i })) }, a.text),
        ),
      );
  const body =
    editing === entry.id
      ? renderEditor(entry)
      : h(
          'div',
          {},
          h('a', { href: '#', class: 'question', id: `q-${entry.id}`, onclick: (e: Event) => (e.preventDefault(), vscode.postMessage({ type: 'reveal', id: entry.id })) }, entry.question),
          ' → ',
          answers,
          ...tags,
        );
  return h('article', { class: `qa${entry.stale ? ' is-stale' : ''}`, 'data-id': entry.id }, body, actions);
}

function renderEditor(entry: QaEntry): HTMLElement {
  const question = h('vscode-textfield', { value: entry.question, 'aria-label': 'Question', class: 'wide' });
  const answer = h('vscode-textfield', { value: entry.answers[0]?.text ?? '', 'aria-label': 'Answer (must occur in the passage)', class: 'wide' });
  const save = () => {
    editing = undefined;
    const answerText = (answer as HTMLInputElement).value;
    vscode.postMessage({ type: 'edit', id: entry.id, question: (question as HTMLInputElement).value, answerText: answerText && answerText !== entry.answers[0]?.text ? answerText : undefined });
    renderList();
  };
  return h(
    'form',
    { class: 'editor', onsubmit: (e: Event) => (e.preventDefault(), save()) },
    question,
    answer,
    h('vscode-button', { onclick: save }, 'Save'),
    h('vscode-button', { secondary: true, onclick: () => ((editing = undefined), renderList()) }, 'Cancel'),
  );
}

vscode.postMessage({ type: 'ready' });
