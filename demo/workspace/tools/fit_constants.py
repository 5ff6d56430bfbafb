"""Fit a station's harmonic constants from tide gauge observations.

Usage::

    python tools/fit_constants.py observations.csv > constituents.txt

The CSV file has two columns: the time in ISO 8601 format (UTC) and the observed height in metres.
The output is the constituent lines of a Tidewise station file.
"""
import csv
import sys
from datetime import datetime, timezone

import numpy as np

# Speeds of the standard constituents in degrees per hour.
SPEEDS = {
    "M2": 28.9841042,
    "S2": 30.0,
    "N2": 28.4397295,
    "K1": 15.0410686,
    "O1": 13.9430356,
}

MIN_DAYS = 15


def read_observations(path):
    """Read a CSV file of observations.

    Args:
        path: Path of the CSV file, with a time column and a height column.

    Returns:
        A tuple of two NumPy arrays: hours since the first observation, and heights in metres.

    Raises:
        ValueError: If the file has fewer than two observations.
    """
    times, heights = [], []
    with open(path, newline="") as handle:
        for row in csv.reader(handle):
            moment = datetime.fromisoformat(row[0]).replace(tzinfo=timezone.utc)
            times.append(moment.timestamp() / 3600.0)
            heights.append(float(row[1]))
    if len(times) < 2:
        raise ValueError("need at least two observations")
    hours = np.array(times) - times[0]
    return hours, np.array(heights)


def fit_constants(hours, heights, speeds=SPEEDS):
    """Fit amplitudes and phase lags by least squares.

    Each constituent contributes a cosine and a sine column to the design matrix, and a constant
    column absorbs mean sea level.

    Args:
        hours: Hours of each observation since the start of the record.
        heights: Observed heights in metres.
        speeds: Constituent speeds in degrees per hour. Defaults to the five standard constituents.

    Returns:
        A dict from constituent name to a pair of amplitude in metres and phase lag in degrees.

    Raises:
        ValueError: If the record is shorter than 15 days.
    """
    if hours[-1] - hours[0] < MIN_DAYS * 24:
        raise ValueError(f"the record must cover at least {MIN_DAYS} days")
    columns = [np.ones_like(hours)]
    for speed in speeds.values():
        angle = np.radians(speed * hours)
        columns += [np.cos(angle), np.sin(angle)]
    solution, *_ = np.linalg.lstsq(np.column_stack(columns), heights, rcond=None)
    constants = {}
    for i, name in enumerate(speeds):
        a, b = solution[1 + 2 * i], solution[2 + 2 * i]
        constants[name] = (float(np.hypot(a, b)), float(np.degrees(np.arctan2(b, a)) % 360))
    return constants


def main():
    hours, heights = read_observations(sys.argv[1])
    for name, (amplitude, phase) in fit_constants(hours, heights).items():
        print(f"{name}  {amplitude:.3f}  {phase:.1f}")


if __name__ == "__main__":
    main()
