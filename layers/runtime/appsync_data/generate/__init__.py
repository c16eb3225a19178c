"""Generators: AppSync SDL, model introspection, amplify_outputs.json and the SAM template.

Everything is derived from the app's `Schema`, so adding a model is one edit of
`functions/data/resource.py` and one `python -m appsync_data generate`.
"""
