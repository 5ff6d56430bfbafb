// VS Code Elements (theme-aware web components), bundled for SpanTune's webviews.
import '@vscode-elements/elements/dist/bundled.js';
