import { constituentAngle } from './astronomy';
import type { Station } from './station';

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
  let height = station.meanSeaLevel;
  for (const c of station.constituents) {
    height += c.amplitude * Math.cos(constituentAngle(c, time));
  }
  return height;
}
