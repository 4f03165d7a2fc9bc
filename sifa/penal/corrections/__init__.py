"""社区矫正 (community corrections): supervisees from intake to release, leave, sanctions and
electronic-monitoring orders. See docs/corrections.md."""
