"""Fit a station's harmonic constants from tide gauge observations."""
import numpy as np

MIN_DAYS = 15


def fit_constants(hours, heights, speeds):
    """Fit amplitudes and phase lags by least squares.

    Each constituent adds a cosine and a sine column to the design matrix, and
    a constant column absorbs mean sea level.

    Args:
        hours: Hours of each observation since the start of the record.
        heights: Observed heights in metres.
        speeds: Constituent speeds in degrees per hour.

    Returns:
        A dict from constituent name to its amplitude in metres and phase lag in degrees.

    Raises:
        ValueError: If the record is shorter than 15 days.
    """
    if hours[-1] < MIN_DAYS * 24:
        raise ValueError("the record must cover at least 15 days")
    matrix = design_matrix(hours, speeds.values())
    solution, *_ = np.linalg.lstsq(matrix, heights, rcond=None)
    return amplitudes_and_phases(solution, speeds)
