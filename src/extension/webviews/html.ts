/**
 * The HTML shell of every SpanTune webview: a strict Content Security Policy (no remote content, no
 * inline script, no eval; scripts and styles only with this page's nonce or from the extension),
 * the VS Code Elements components and the panel's own bundled script, both as nonce'd modules.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function contentSecurityPolicy(webview: vscode.Webview, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: { title: string; script: string; body: string }): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...parts)).toString();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${page.title}</title>
<link rel="stylesheet" href="${asset('media', 'webview.css')}">
<script type="module" nonce="${nonce}" src="${asset('dist', 'webview', 'elements.js')}"></script>
<script type="module" nonce="${nonce}" src="${asset('dist', 'webview', `${page.script}.js`)}"></script>
</head>
<body>
${page.body}
</body>
</html>`;
}
