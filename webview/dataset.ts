/** Dataset panel (webview side): renders the questions grouped by file and passage, or sorted for review. */
import { ENTRY_ORDERS, orderEntries, type EntryOrder } from '../src/extension/logic/entry-order';
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
let order: EntryOrder = 'passage';
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
  const roundTrip = entry.roundTrip ? (entry.roundTrip.passed ? 'passed' : 'failed') : '';
  const haystack = [entry.question, entry.path, entry.title, ...entry.answers.map((a) => a.text), entry.origin, entry.generator, roundTrip, entry.split, entry.stale ? 'stale' : '']
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
  const search = h('vscode-textfield', { id: 'search', placeholder: 'Filter by question, answer, file, generator, passed/failed…', value: filterText, 'aria-label': 'Filter questions' });
  search.addEventListener('input', () => {
    filterText = (search as HTMLInputElement).value;
    renderList();
  });
  const sort = h(
    'vscode-single-select',
    { id: 'sort', 'aria-label': 'Order of the questions' },
    ...Object.entries(ENTRY_ORDERS).map(([value, label]) => h('vscode-option', { value, selected: value === order }, label)),
  );
  sort.addEventListener('change', () => {
    order = (sort as HTMLSelectElement).value as EntryOrder;
    renderList();
  });
  const list = h('div', { id: 'list' });
  app.replaceChildren(
    ...[h('header', {}, h('h1', {}, 'SpanTune Dataset'), h('p', { class: 'muted', id: 'counts' }, `${state.file} — ${countsLine(state.counts)}`)),
    state.problem ? h('p', { class: 'error', role: 'alert' }, state.problem) : undefined,
    h('div', { class: 'toolbar' }, search, sort),
    list].filter((x): x is HTMLElement => x !== undefined),
  );
  renderList();
  if (focusedId) document.getElementById(focusedId)?.focus();
}

function renderList(): void {
  if (!state) return;
  const list = document.getElementById('list') as HTMLElement;
  const visible = orderEntries(state.entries.filter((e) => matches(e, filterText)), order);
  if (visible.length === 0) {
    list.replaceChildren(h('p', { class: 'muted' }, state.entries.length === 0 ? 'No questions yet: select an answer in a document and run “SpanTune: Add Question for Selection”.' : 'No question matches the filter.'));
    return;
  }
  // Bulk review acts on the unreviewed pairs the filter shows, so a person can narrow them down first.
  const unreviewed = visible.filter((e) => !e.reviewed).map((e) => e.id);
  const passed = visible.filter((e) => !e.reviewed && e.roundTrip?.passed).map((e) => e.id);
  const bulk = unreviewed.length
    ? h(
        'div',
        { class: 'bulk', role: 'toolbar', 'aria-label': 'Review the shown pairs' },
        passed.length ? h('vscode-button', { id: 'accept-passed', onclick: () => vscode.postMessage({ type: 'acceptPassed', ids: passed }) }, `Accept ${passed.length} shown that passed the round trip`) : undefined,
        h('vscode-button', { id: 'accept-shown', secondary: passed.length > 0, onclick: () => vscode.postMessage({ type: 'reviewMany', ids: unreviewed, accept: true }) }, `Accept ${unreviewed.length} shown unreviewed`),
        h('vscode-button', { id: 'reject-shown', secondary: true, onclick: () => vscode.postMessage({ type: 'reviewMany', ids: unreviewed, accept: false }) }, `Reject ${unreviewed.length} shown unreviewed`),
      )
    : undefined;
  if (order !== 'passage') {
    // Sorted for review: one list, each question with its file.
    list.replaceChildren(...(bulk ? [bulk] : []), h('section', { class: 'file' }, ...visible.map((entry) => renderEntry(entry, true))));
    return;
  }
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
          h('div', { class: 'passage' }, h('blockquote', {}, entries[0]?.passagePreview ?? ''), ...entries.map((entry) => renderEntry(entry))),
        ),
      ),
    ),
  );
}

/** "✓ round trip F1 0.83", or for a failed one also what the model answered instead. */
function roundTripTag(entry: QaEntry): HTMLElement | undefined {
  const result = entry.roundTrip;
  if (!result) return undefined;
  const said = result.answer.length > 60 ? `${result.answer.slice(0, 60)}…` : result.answer;
  return h(
    'span',
    { class: `roundtrip ${result.passed ? 'passed' : 'failed'}`, title: `${result.model} answered “${result.answer}”` },
    `${result.passed ? '✓' : '✗'} round trip F1 ${result.f1.toFixed(2)}${result.passed ? '' : `: the model found “${said}”`}`,
  );
}

function renderEntry(entry: QaEntry, withFile = false): HTMLElement {
  const tags = [
    entry.origin === 'generated' ? h('vscode-badge', { variant: 'counter' }, entry.reviewed ? 'generated' : 'generated · unreviewed') : undefined,
    entry.generator ? h('vscode-badge', {}, entry.generator === 'llm' ? 'language model' : entry.generator) : undefined,
    roundTripTag(entry),
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
          withFile ? h('div', { class: 'muted' }, entry.path ?? entry.title ?? '') : undefined,
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
