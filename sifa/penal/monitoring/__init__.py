"""Electronic monitoring (电子定位) of supervisees: positions, geofences, alerts."""
