"""In-app alerts (issue 14 item 1): who is told what, and the page where they read it.

Features tell this package about their records through `register_alert_target` and
`register_due_check` (called from `create_app`), so alerts never import a feature.
"""
