"""Read tide gauge observations for the fitting tool.

The CSV file has two columns: the time in ISO 8601 format (UTC) and the observed height in metres.
"""
import csv
from datetime import datetime, timezone

import numpy as np


def read_observations(path):
    """Read a CSV file of observations.

    Args:
        path: Path of the CSV file.

    Returns:
        Two NumPy arrays: hours since the first observation, and heights in metres.

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
    return np.array(times) - times[0], np.array(heights)
