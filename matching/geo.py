"""Great-circle distances on the Earth, vectorised over numpy arrays."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["EARTH_RADIUS_KM", "chord_km", "haversine_km", "unit_vectors"]

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def unit_vectors(lat: ArrayLike, lon: ArrayLike) -> np.ndarray:
    """Points on the unit sphere, shape ``(..., 3)``; their dot product is the cosine of the central angle.

    Examples
    --------
    >>> unit_vectors(0.0, 90.0).round(6)
    array([0., 1., 0.])
    """
    lat, lon = np.broadcast_arrays(
        np.radians(np.asarray(lat, dtype=np.float64)), np.radians(np.asarray(lon, dtype=np.float64))
    )
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def chord_km(x1: ArrayLike, y1: ArrayLike, z1: ArrayLike, x2: ArrayLike, y2: ArrayLike, z2: ArrayLike) -> np.ndarray:
    """Great-circle distance in km between points given as unit-vector components (see :func:`unit_vectors`).

    The haversine of the central angle is ``(chord / 2) ** 2``, so the distance is
    ``2 R asin(chord / 2)``: as accurate as the usual haversine formula for short distances,
    and cheap when the unit vectors are stored already (as the indexes do).

    Examples
    --------
    >>> round(float(chord_km(1.0, 0.0, 0.0, 0.0, 1.0, 0.0)), 3)  # a quarter of the circumference
    10007.557
    """
    dx, dy, dz = np.subtract(x1, x2), np.subtract(y1, y2), np.subtract(z1, z2)
    half_chord = np.sqrt(dx * dx + dy * dy + dz * dz) / 2.0
    distance: np.ndarray = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(half_chord, 1.0))
    return distance


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> np.ndarray:
    """Great-circle distance in km between points given in degrees; broadcasts like numpy.

    Computed through :func:`chord_km`, so distances from stored unit vectors are bit for bit
    the same.

    Examples
    --------
    >>> round(float(haversine_km(46.554, 15.646, 46.305, 16.338)), 1)  # Maribor - Varaždin
    59.8
    >>> haversine_km([46.0, 46.0], [15.0, 15.0], 46.0, [15.0, 16.0]).round(1)
    array([ 0. , 77.2])
    """
    u, v = unit_vectors(lat1, lon1), unit_vectors(lat2, lon2)
    return chord_km(u[..., 0], u[..., 1], u[..., 2], v[..., 0], v[..., 1], v[..., 2])
