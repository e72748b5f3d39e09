"""Writing results: results.json, timeseries.csv, report.html, overlay.mp4."""
