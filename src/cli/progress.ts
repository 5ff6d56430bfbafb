/**
 * A progress line on stderr: a bar with percent, rate and ETA, redrawn in place on a terminal and
 * printed every few seconds otherwise (CI logs).
 */
export class ProgressLine {
  private readonly started = Date.now();
  private lastPrinted = 0;

  constructor(
    private readonly label: string,
    private readonly unit: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number, extra = ''): void {
    const now = Date.now();
    const finished = done >= total;
    if (!this.stream.isTTY && !finished && now - this.lastPrinted < 5000) return;
    this.lastPrinted = now;
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `[${'#'.repeat(filled)}${' '.repeat(width - filled)}]`;
    const line = `${this.label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${done}/${total} ${this.unit} · ${rate.toFixed(2)}/s · ETA ${formatDuration(eta)}${extra ? ` · ${extra}` : ''}`;
    if (this.stream.isTTY) this.stream.write(`\r\x1b[K${line}${finished ? '\n' : ''}`);
    else this.stream.write(`${line}\n`);
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
