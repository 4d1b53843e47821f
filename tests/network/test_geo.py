"""Tests for network.geo."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from network import haversine_km

latitudes, longitudes = st.floats(-90, 90), st.floats(-180, 180)


class TestHaversineKm:
    def test_known_distances(self):
        assert haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.01)
        assert haversine_km(0, 0, 90, 0) == pytest.approx(10007.55, abs=0.1)
        assert haversine_km(46.0569, 14.5058, 45.8150, 15.9819) == pytest.approx(117.0, abs=1.0)  # Ljubljana-Zagreb

    def test_broadcasts_to_a_matrix(self):
        lat = np.array([0.0, 0.0, 10.0])
        result = haversine_km(lat[:, None], np.zeros((3, 1)), np.array([[0.0, 1.0]]), np.array([[0.0, 0.0]]))
        assert result.shape == (3, 2)
        assert result[0, 0] == 0.0

    def test_missing_coordinates_give_nan(self):
        assert np.isnan(haversine_km(np.nan, 0, 0, 0))

    @given(latitudes, longitudes, latitudes, longitudes)
    def test_symmetric_and_bounded(self, lat1, lon1, lat2, lon2):
        there, back = haversine_km(lat1, lon1, lat2, lon2), haversine_km(lat2, lon2, lat1, lon1)
        assert there == pytest.approx(back, abs=1e-6)
        assert 0 <= there <= np.pi * 6371.0088 + 1e-6
