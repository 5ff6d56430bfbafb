import { predictHeight } from './predict';
import type { Extreme, Station } from './station';

/**
 * Finds the high and low waters between two moments.
 *
 * The curve is sampled every `stepMinutes` minutes, and each turning point is then refined
 * by fitting a parabola through the three samples around it.
 *
 * @param station - The station to predict for.
 * @param from - Start of the search.
 * @param to - End of the search; must be later than `from`.
 * @param stepMinutes - Sampling interval in minutes. Defaults to 6.
 * @returns The extremes in time order.
 */
export function findExtremes(station: Station, from: Date, to: Date, stepMinutes = 6): Extreme[] {
  const samples = sampleCurve(station, from, to, stepMinutes);
  return turningPoints(samples).map((i) => refineByParabola(station, samples, i));
}
