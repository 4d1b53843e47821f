"""Great-circle distances between coordinates, vectorised with numpy."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["EARTH_RADIUS_KM", "haversine_km"]

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """Great-circle distance in kilometres between points given in degrees.

    The arguments broadcast like any numpy operation, so ``lat1[:, None]`` against
    ``lat2[None, :]`` gives a full distance matrix.

    Examples
    --------
    >>> round(float(haversine_km(46.42, 15.87, 46.38, 16.43)), 1)  # Ptuj to Čakovec
    43.2
    >>> haversine_km([0.0, 0.0], [0.0, 1.0], 0.0, 0.0).round(1)
    array([  0. , 111.2])
    """
    phi1, lam1, phi2, lam2 = (np.radians(np.asarray(value, dtype=float)) for value in (lat1, lon1, lat2, lon2))
    a = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    # Rounding can push a a hair above 1 for antipodal points.
    distance: np.ndarray = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return distance
