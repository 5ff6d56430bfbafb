/** The webview side of the message channel to the extension host. */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();

/** Creates an element with attributes and children (no innerHTML: the texts are user data). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K | string,
  attributes: Record<string, string | boolean | number | undefined | ((event: Event) => void)> = {},
  ...children: (Node | string | undefined | false)[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(key.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(key, '');
    else element.setAttribute(key, String(value));
  }
  for (const child of children) if (child !== undefined && child !== false) element.append(child);
  return element;
}
