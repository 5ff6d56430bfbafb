/**
 * Tide prediction: the height of the tide at a station is the station's mean sea level plus the
 * sum of its constituents, each a cosine wave with the amplitude and phase lag from the station file.
 */
import { constituentSpeed, nodalFactors } from './astronomy';
import type { Station } from './station';

/** A high or low water found by {@link findExtremes}. */
export interface Extreme {
  kind: 'high' | 'low';
  time: Date;
  /** Metres above the station's chart datum. */
  height: number;
}

/**
 * Predicts the height of the tide at one moment.
 *
 * @param station - The station, as returned by `loadStation`.
 * @param time - The moment to predict for.
 * @returns The height in metres above chart datum.
 * @throws RangeError if the time is not a valid date.
 */
export function predictHeight(station: Station, time: Date): number {
  if (Number.isNaN(time.getTime())) throw new RangeError('Not a valid date');
  const hours = (time.getTime() - Date.UTC(time.getUTCFullYear(), 0, 1)) / 3_600_000;
  const nodal = nodalFactors(time.getUTCFullYear());
  let height = station.meanSeaLevel;
  for (const { name, amplitude, phaseLag } of station.constituents) {
    const { f, u, v0 } = nodal(name);
    const angle = constituentSpeed(name) * hours + v0 + u - phaseLag;
    height += f * amplitude * Math.cos((angle * Math.PI) / 180);
  }
  return height;
}

/**
 * Finds the high and low waters between two moments.
 *
 * The curve is sampled every `stepMinutes` minutes, and each turning point is then refined by
 * fitting a parabola through the three samples around it.
 *
 * @param station - The station to predict for.
 * @param from - Start of the search.
 * @param to - End of the search; must be later than `from`.
 * @param stepMinutes - Sampling interval in minutes. Defaults to 6.
 * @returns The extremes in time order.
 * @throws RangeError if `to` is not later than `from`.
 */
export function findExtremes(station: Station, from: Date, to: Date, stepMinutes = 6): Extreme[] {
  if (to <= from) throw new RangeError('The end of the search must be later than its start');
  const step = stepMinutes * 60_000;
  const extremes: Extreme[] = [];
  const at = (ms: number) => predictHeight(station, new Date(ms));
  for (let t = from.getTime() + step; t < to.getTime(); t += step) {
    const [before, here, after] = [at(t - step), at(t), at(t + step)];
    if ((here - before) * (after - here) > 0) continue;
    const curvature = before - 2 * here + after;
    const offset = curvature === 0 ? 0 : (0.5 * (before - after)) / curvature;
    const time = t + offset * step;
    extremes.push({ kind: curvature < 0 ? 'high' : 'low', time: new Date(time), height: at(time) });
  }
  return extremes;
}
