"""Programme indicators: SQL aggregates by month, region and kind, targets, charts, downloads and a period report."""
