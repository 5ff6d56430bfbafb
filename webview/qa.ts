/** QA panel (webview side): question box, scope and model choice, answers with scores and n-best. */
import type { AnswerView } from '../src/extension/webviews/qa-panel';
import { h, vscode } from './lib/vscode-api';

const app = document.getElementById('app') as HTMLElement;
let models: { id: string; label: string }[] = [];
let selectedModel = 'base';
let file: string | undefined;

const question = h('vscode-textfield', { id: 'question', placeholder: 'Ask a question and press Enter', 'aria-label': 'Question', class: 'wide' }) as HTMLInputElement;
const scope = h(
  'vscode-single-select',
  { id: 'scope', 'aria-label': 'Where to look' },
  h('vscode-option', { value: 'file', selected: true }, 'the active file'),
  h('vscode-option', { value: 'selection' }, 'the selection'),
  h('vscode-option', { value: 'workspace' }, 'all workspace documents'),
) as HTMLSelectElement;
const modelSelect = h('vscode-single-select', { id: 'model', 'aria-label': 'Model' }) as HTMLSelectElement;
const fileLabel = h('span', { class: 'muted file', id: 'file' });
const results = h('div', { id: 'results' });

function ask(): void {
  vscode.postMessage({ type: 'ask', question: question.value, scope: scope.value, model: modelSelect.value || selectedModel });
}
question.addEventListener('keydown', (e) => {
  if ((e as KeyboardEvent).key === 'Enter') ask();
});

/** A control with its label before it, kept together when the toolbar wraps. */
function field(label: string, control: HTMLElement, ...after: HTMLElement[]): HTMLElement {
  return h('span', { class: 'field' }, h('span', { class: 'field-label' }, label), control, ...after);
}

app.replaceChildren(
  h('h1', {}, 'Ask SpanTune'),
  question,
  h('div', { class: 'toolbar' }, field('Look in:', scope, fileLabel)),
  h('div', { class: 'toolbar' }, field('Model:', modelSelect), h('vscode-button', { id: 'ask', onclick: ask }, 'Ask')),
  results,
);

function renderModels(): void {
  modelSelect.replaceChildren(...models.map((m) => h('vscode-option', { value: m.id, selected: m.id === selectedModel }, m.label)));
  fileLabel.textContent = file ?? '';
}

function answerLink(a: { text: string; start: number; end: number; isNull: boolean }, path: string, className: string): HTMLElement {
  if (a.isNull) return h('span', { class: `${className} muted` }, 'no answer');
  return h('a', { href: '#', class: className, title: `Show in ${path}`, onclick: (e: Event) => (e.preventDefault(), vscode.postMessage({ type: 'reveal', path, start: a.start, end: a.end, text: a.text })) }, a.text);
}

function renderAnswers(list: AnswerView[], backend?: string, error?: string): void {
  if (error) return void results.replaceChildren(h('p', { class: 'error', role: 'alert' }, error));
  if (list.length === 0) return void results.replaceChildren(h('p', { class: 'muted' }, 'No answer.'));
  results.replaceChildren(
    // One line, cut to the panel's width; the whole line (every skipped engine's reason) on hover.
    h('p', { class: 'muted one-line', id: 'backend-line', title: backend ?? '' }, `${list.length} document${list.length === 1 ? '' : 's'} read${backend ? ` on ${backend}` : ''}`),
    ...list.map((r) =>
      h(
        'div',
        { class: 'result' },
        h('div', {}, h('b', {}, r.path), ': ', answerLink(r, r.path, 'answer top-answer'), h('span', { class: 'score' }, r.isNull ? 'the model says the text does not answer this' : `score ${r.score.toFixed(2)} · p ${r.probability.toFixed(2)}`)),
        h(
          'details',
          {},
          h('summary', {}, 'other candidates'),
          h('ol', {}, ...r.nbest.map((n) => h('li', {}, answerLink(n, r.path, 'answer'), h('span', { class: 'score' }, `score ${n.score.toFixed(2)} · p ${n.probability.toFixed(2)}`)))),
        ),
      ),
    ),
  );
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = event.data as { type: string; [key: string]: unknown };
  if (message.type === 'context') {
    models = message.models as typeof models;
    selectedModel = message.selectedModel as string;
    file = message.file as string | undefined;
    renderModels();
  } else if (message.type === 'busy') {
    results.replaceChildren(
      h('vscode-progress-ring', {}),
      h('p', { class: 'muted' }, message.text as string),
      h('vscode-button', { id: 'cancel', secondary: true, onclick: () => vscode.postMessage({ type: 'cancel' }) }, 'Cancel'),
    );
  } else if (message.type === 'answers') {
    renderAnswers(message.results as AnswerView[], message.backend as string | undefined, message.error as string | undefined);
  }
});
vscode.postMessage({ type: 'ready' });
