"""Tests for great-circle distances."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.geo import EARTH_RADIUS_KM, haversine_km, unit_vectors

lat = st.floats(-89.0, 89.0)
lon = st.floats(-179.0, 179.0)


def test_known_distance_ljubljana_zagreb():
    assert float(haversine_km(46.051, 14.506, 45.815, 15.982)) == pytest.approx(117.0, abs=1.0)


def test_broadcasts_over_arrays():
    d = haversine_km(46.0, 15.0, np.array([46.0, 47.0]), np.array([15.0, 15.0]))
    np.testing.assert_allclose(d, [0.0, 111.2], atol=0.1)


@settings(max_examples=50, deadline=None)
@given(lat, lon, lat, lon)
def test_symmetric_and_agrees_with_the_unit_vector_angle(a, b, c, d):
    there, back = float(haversine_km(a, b, c, d)), float(haversine_km(c, d, a, b))
    assert there == pytest.approx(back)
    cos = float(np.clip(unit_vectors(a, b) @ unit_vectors(c, d), -1, 1))
    assert there == pytest.approx(EARTH_RADIUS_KM * np.arccos(cos), abs=1e-3)
