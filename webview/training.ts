/** Training dashboard (webview side): Chart.js curves of loss, learning rate and EM/F1 by step. */
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { summariseSkipped } from '../src/extension/logic/backend-line';
import type { RunRecord } from '../src/extension/training/runs';
import { h, vscode } from './lib/vscode-api';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

interface State {
  runs: RunRecord[];
  runningId?: string;
  activeModel?: string;
  baseModel: string;
}

const app = document.getElementById('app') as HTMLElement;
let state: State | undefined;
let shownRunId: string | undefined;
let lastRunningId: string | undefined;
const charts: Record<string, Chart> = {};

function themeColor(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function makeChart(canvas: HTMLCanvasElement, label: string, series: { label: string; color: string }[], yRange: { min?: number; max?: number } = {}): Chart {
  const foreground = themeColor('--vscode-foreground', '#ccc');
  const grid = themeColor('--vscode-panel-border', '#444');
  return new Chart(canvas, {
    type: 'line',
    data: { datasets: series.map((s) => ({ label: s.label, data: [], borderColor: s.color, backgroundColor: s.color, pointRadius: 2, borderWidth: 2, tension: 0 })) },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      scales: {
        // Steps are whole numbers: no 1.2, 1.4 ticks on a short run.
        x: { type: 'linear', title: { display: true, text: 'step', color: foreground }, ticks: { color: foreground, precision: 0 }, grid: { color: grid } },
        y: { ...yRange, title: { display: true, text: label, color: foreground }, ticks: { color: foreground }, grid: { color: grid } },
      },
      plugins: { legend: { labels: { color: foreground } } },
    },
  });
}

function layout(): void {
  const chartBox = (id: string, title: string) => h('section', {}, h('h2', {}, title), h('div', { class: 'chart' }, h('canvas', { id, role: 'img', 'aria-label': title })));
  app.replaceChildren(
    h('header', {}, h('h1', {}, 'SpanTune Training'), h('div', { class: 'toolbar', id: 'toolbar' })),
    h('div', { class: 'stats', id: 'stats' }),
    h('div', { class: 'grid' }, chartBox('loss', 'Training loss'), chartBox('lr', 'Learning rate'), chartBox('scores', 'Validation EM / F1')),
    h('h2', {}, 'Runs'),
    h('div', { id: 'runs' }),
  );
  const accent = themeColor('--vscode-charts-blue', '#3794ff');
  charts.loss = makeChart(document.getElementById('loss') as HTMLCanvasElement, 'loss', [{ label: 'loss', color: accent }]);
  charts.lr = makeChart(document.getElementById('lr') as HTMLCanvasElement, 'learning rate', [{ label: 'learning rate', color: themeColor('--vscode-charts-purple', '#b180d7') }]);
  // EM and F1 are percentages: the axis stays 0–100 (scores of 0 once drew it from −1 to 1).
  charts.scores = makeChart(
    document.getElementById('scores') as HTMLCanvasElement,
    'score (%)',
    [
      { label: 'exact match', color: themeColor('--vscode-charts-green', '#89d185') },
      { label: 'F1', color: themeColor('--vscode-charts-orange', '#d18616') },
    ],
    { min: 0, max: 100 },
  );
}

function setSeries(chart: Chart | undefined, ...series: { x: number; y: number }[][]): void {
  if (!chart) return;
  series.forEach((points, i) => {
    const dataset = chart.data.datasets[i];
    if (dataset) dataset.data = points;
  });
  chart.update('none');
  // The axes as drawn, readable without looking at the canvas (the UI specs check them).
  const canvas = chart.canvas;
  canvas.dataset.xTicks = chart.scales.x?.ticks.map((t) => t.value).join(' ') ?? '';
  canvas.dataset.yRange = `${chart.scales.y?.min} ${chart.scales.y?.max}`;
}

function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–';
  return seconds < 90 ? `${Math.round(seconds)} s` : seconds < 5400 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`;
}

function stat(label: string, value: string, id?: string): HTMLElement {
  return h('div', { class: 'stat' }, h('b', { id }, value), label);
}

function render(): void {
  if (!state) return;
  if (!charts.loss) layout();
  // A run that just started takes the view.
  if (state.runningId && state.runningId !== lastRunningId) shownRunId = state.runningId;
  lastRunningId = state.runningId;
  const run = state.runs.find((r) => r.id === shownRunId) ?? state.runs.find((r) => r.id === state?.runningId) ?? state.runs[0];
  shownRunId = run?.id;
  const running = run !== undefined && run.id === state.runningId;
  const toolbar = document.getElementById('toolbar') as HTMLElement;
  // Rebuilt only when its buttons change: replacing a button under the pointer would lose the click.
  const toolbarKey = `${running}:${run?.id}:${run?.status}:${state.runningId}`;
  if (toolbar.dataset.key !== toolbarKey) {
    toolbar.dataset.key = toolbarKey;
    toolbar.replaceChildren(
    ...[running
      ? h('vscode-button', { id: 'cancel', onclick: () => vscode.postMessage({ type: 'cancel' }) }, 'Cancel training')
      : h('vscode-button', { id: 'train', onclick: () => vscode.postMessage({ type: 'train' }) }, 'Fine-tune on workspace'),
    run && run.status === 'cancelled' && !state.runningId ? h('vscode-button', { secondary: true, id: 'resume', onclick: () => vscode.postMessage({ type: 'resume', runId: run.id }) }, 'Resume this run') : undefined].filter((x): x is HTMLElement => x !== undefined),
  );
  }
  const last = run?.steps.at(-1);
  const lastEval = run?.evals.at(-1);
  (document.getElementById('stats') as HTMLElement).replaceChildren(
    stat('run', run ? `${run.id} (${run.status})` : 'none yet', 'run-status'),
    stat('step', last ? `${last.step} / ${run?.totalSteps ?? '?'}` : '–', 'step'),
    stat('loss', last ? last.loss.toFixed(4) : '–', 'last-loss'),
    stat('windows/s', last ? last.examplesPerSecond.toFixed(1) : '–'),
    stat('ETA', running && last ? formatDuration(last.etaSeconds) : '–'),
    stat('backend', run?.backend ? (run.backend.provider ? `onnxruntime ${run.backend.provider}` : run.backend.name) + (run.backend.threads ? ` (${run.backend.threads} thread${run.backend.threads === 1 ? '' : 's'})` : '') : '–', 'backend'),
    h(
      'div',
      { class: 'stat why' },
      h('span', { id: 'backend-why', title: run?.backend?.skipped.map((s) => `${s.name}: ${s.reason}`).join('\n') ?? '' }, run?.backend ? (summariseSkipped(run.backend.skipped.map((s) => s.name)) ?? 'the first choice loaded') : '–'),
      'why this backend',
    ),
    stat('base EM / F1', run?.base ? `${run.base.exact.toFixed(1)} / ${run.base.f1.toFixed(1)}` : '–'),
    stat('fine-tuned EM / F1', run?.best ? `${run.best.exact.toFixed(1)} / ${run.best.f1.toFixed(1)}` : lastEval && lastEval.step > 0 ? `${lastEval.exact.toFixed(1)} / ${lastEval.f1.toFixed(1)}` : '–'),
  );
  setSeries(charts.loss, run?.steps.map((s) => ({ x: s.step, y: s.loss })) ?? []);
  setSeries(charts.lr, run?.steps.map((s) => ({ x: s.step, y: s.lr })) ?? []);
  setSeries(charts.scores, run?.evals.map((e) => ({ x: e.step, y: e.exact })) ?? [], run?.evals.map((e) => ({ x: e.step, y: e.f1 })) ?? []);
  renderRuns();
}

function renderRuns(): void {
  if (!state) return;
  const rows = state.runs.map((r) => {
    const active = r.modelDir !== undefined && r.modelDir === state?.activeModel;
    return h(
      'tr',
      { class: r.id === shownRunId ? 'selected' : undefined },
      h('td', {}, h('a', { href: '#', onclick: (e: Event) => (e.preventDefault(), (shownRunId = r.id), render()) }, r.id)),
      h('td', {}, r.status + (r.reason && r.status !== 'cancelled' ? ` (${r.reason.split('\n')[0]})` : '')),
      h('td', {}, `${r.settings.epochs} ep · batch ${r.settings.batchSize} · lr ${r.settings.learningRate} · ${r.settings.maxSeqLength} tok`),
      h('td', {}, r.base ? `${r.base.exact.toFixed(1)} / ${r.base.f1.toFixed(1)}` : '–'),
      h('td', {}, r.best ? `${r.best.exact.toFixed(1)} / ${r.best.f1.toFixed(1)}` : '–'),
      h(
        'td',
        {},
        active
          ? h('span', {}, 'active model')
          : r.modelDir && r.status !== 'running'
            ? h('vscode-button', { secondary: true, onclick: () => vscode.postMessage({ type: 'activate', runId: r.id }) }, 'Make active model')
            : '',
      ),
    );
  });
  (document.getElementById('runs') as HTMLElement).replaceChildren(
    state.runs.length === 0
      ? h('p', { class: 'muted' }, 'No runs yet.')
      : h('table', {}, h('thead', {}, h('tr', {}, ...['run', 'status', 'settings', 'base EM / F1', 'best EM / F1', ''].map((t) => h('th', {}, t)))), h('tbody', {}, ...rows)),
    h(
      'p',
      { class: 'muted' },
      `Active model: ${state.activeModel ?? `base model (${state.baseModel || 'not set'})`} `,
      state.activeModel ? h('vscode-button', { secondary: true, onclick: () => vscode.postMessage({ type: 'activate', runId: null }) }, 'Use base model') : '',
    ),
  );
}

window.addEventListener('message', (event: MessageEvent) => {
  if ((event.data as { type: string }).type === 'state') {
    state = event.data as State;
    render();
  }
});
vscode.postMessage({ type: 'ready' });
