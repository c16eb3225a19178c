"""The `stats` function: custom operations of functions/data/resource.py (Lambda handler
`stats.app.handler`)."""
