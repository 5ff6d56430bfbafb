/** One progress report of a model download. */
export interface DownloadProgress {
  phase: 'resolving' | 'downloading' | 'verifying' | 'done';
  repoId: string;
  /** The repository file being worked on. */
  file?: string;
  fileBytes: number;
  fileTotal: number;
  /** Bytes present so far over all files to fetch (resumed bytes included). */
  bytes: number;
  totalBytes: number;
  percent: number;
  /** Transfer speed over the last few seconds (resumed bytes excluded); 0 before the first bytes. */
  bytesPerSecond: number;
  /** Seconds left at the current speed; undefined while the speed is unknown. */
  etaSeconds: number | undefined;
}

const SPEED_WINDOW_MS = 5000;

/** Tracks bytes over time to give percent, speed over a sliding window, and time left. */
export class TransferMeter {
  private bytes = 0;
  private readonly samples: { at: number; transferred: number }[] = [];
  private transferred = 0;

  constructor(
    private totalBytes: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.samples.push({ at: now(), transferred: 0 });
  }

  /** Counts bytes that were already on disk (a resumed partial file): done, but not speed. */
  addPresent(bytes: number): void {
    this.bytes += bytes;
  }

  addTransferred(bytes: number): void {
    this.bytes += bytes;
    this.transferred += bytes;
    const at = this.now();
    this.samples.push({ at, transferred: this.transferred });
    while (this.samples.length > 2 && at - this.samples[1]!.at > SPEED_WINDOW_MS) this.samples.shift();
  }

  /** Takes back bytes that turned out to be unusable (the server restarted a file from zero). */
  discard(bytes: number): void {
    this.bytes = Math.max(0, this.bytes - bytes);
  }

  growTotal(bytes: number): void {
    this.totalBytes += bytes;
  }

  get done(): number {
    return this.bytes;
  }

  get total(): number {
    return this.totalBytes;
  }

  get percent(): number {
    return this.totalBytes > 0 ? Math.min(100, (100 * this.bytes) / this.totalBytes) : 100;
  }

  get bytesPerSecond(): number {
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const seconds = (last.at - first.at) / 1000;
    return seconds > 0 ? (last.transferred - first.transferred) / seconds : 0;
  }

  get etaSeconds(): number | undefined {
    const speed = this.bytesPerSecond;
    if (speed <= 0) return this.bytes >= this.totalBytes ? 0 : undefined;
    return Math.max(0, this.totalBytes - this.bytes) / speed;
  }
}

/** "1.5 MB", "230 kB": decimal units, as the Hub shows sizes. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}
